/**
 * The SAML front door's short-lived records in the shared state store: a pending login (what the AuthnRequest
 * asked, until the steps finish), the browser's SAML session (who logged in, how, and which service providers
 * got an assertion), the request IDs already seen (replay), and a Single Logout in progress.
 */
import { createHash } from 'node:crypto';
import type { StateStore } from '../state/state-store.js';
import type { RequestedAuthnContext } from './authn-context.js';
import { CLOCK_SKEW_MS, REQUEST_MAX_AGE_MS } from './constants.js';
import type { Binding } from './messages.js';

export interface PendingLogin {
  loginId: string;
  applicationId: string;
  issuer: string;
  /** undefined for IdP-initiated SSO */
  requestId?: string;
  acsUrl: string;
  relayState?: string;
  requestedContext?: RequestedAuthnContext;
  nameIdFormat?: string;
}

export interface Participant {
  issuer: string;
  applicationId: string;
  nameId: string;
  nameIdFormat: string;
}

export interface SamlSession {
  /** also the SessionIndex every service provider of this session gets */
  id: string;
  accountId: string;
  amr: string[];
  acr: string;
  authTime: number;
  participants: Participant[];
  expiresAt: number;
}

export interface LogoutInProgress {
  id: string;
  /** the service provider whose LogoutRequest started it; undefined when the user logged out at Stepgate */
  initiator?: { issuer: string; requestId: string; relayState?: string; binding: Binding };
  /** the SessionIndex of the ended session, named in each LogoutRequest */
  sessionIndex?: string;
  /** the service providers still to be told, in order */
  pending: Participant[];
  /** the LogoutRequest Stepgate is waiting for an answer to */
  waitingFor?: { issuer: string; requestId: string };
  /** some service provider did not confirm its logout */
  partial: boolean;
}

/** A SAML session lasts this long after its login (an assertion's SessionNotOnOrAfter says the same). */
export const SESSION_TTL_MS = 8 * 3600_000;
const LOGOUT_TTL_MS = 10 * 60_000;

const key = {
  login: (id: string) => `saml-login:${id}`,
  session: (id: string) => `saml-session:${id}`,
  logout: (id: string) => `saml-logout:${id}`,
  // hashed: a request ID is chosen by the sender and may be long
  seen: (issuer: string, id: string) =>
    `saml-seen:${createHash('sha256').update(`${issuer.length}:${issuer}${id}`).digest('base64url')}`,
};

export function createSamlState(state: StateStore, loginTtlMs: number, clock: () => number = Date.now) {
  return {
    /** true the first time a service provider's request ID is seen, false on a replay */
    firstUse: (issuer: string, requestId: string) =>
      state.create(key.seen(issuer, requestId), 1, REQUEST_MAX_AGE_MS + 2 * CLOCK_SKEW_MS),
    async savePending(pending: PendingLogin): Promise<void> {
      await state.create(key.login(pending.loginId), pending, loginTtlMs);
    },
    async pending(loginId: string): Promise<PendingLogin | undefined> {
      return (await state.get<PendingLogin>(key.login(loginId)))?.value;
    },
    /** The pending login is used once: the first caller gets it, a second gets undefined. */
    async takePending(loginId: string): Promise<PendingLogin | undefined> {
      const record = await state.get<PendingLogin>(key.login(loginId));
      if (!record) return undefined;
      // a compare-and-set to a tombstone makes the take atomic across nodes
      if (!(await state.replace(key.login(loginId), record.version, { taken: true }, 60_000))) return undefined;
      return 'taken' in (record.value as object) ? undefined : record.value;
    },
    async session(id: string | undefined): Promise<SamlSession | undefined> {
      if (!id) return undefined;
      const record = await state.get<SamlSession>(key.session(id));
      if (!record || record.value.expiresAt <= clock()) return undefined;
      return record.value;
    },
    async createSession(session: SamlSession): Promise<void> {
      await state.create(key.session(session.id), session, Math.max(1000, session.expiresAt - clock()));
    },
    /** Adds a service provider to a session (compare-and-set, retried). */
    async join(id: string, participant: Participant): Promise<SamlSession | undefined> {
      for (let i = 0; i < 5; i++) {
        const record = await state.get<SamlSession>(key.session(id));
        if (!record) return undefined;
        const s = record.value;
        const participants = [...s.participants.filter((p) => p.issuer !== participant.issuer), participant];
        const next = { ...s, participants };
        if (await state.replace(key.session(id), record.version, next, Math.max(1000, s.expiresAt - clock())))
          return next;
      }
      return undefined;
    },
    endSession: (id: string) => state.delete(key.session(id)),
    async startLogout(logout: LogoutInProgress): Promise<void> {
      await state.create(key.logout(logout.id), logout, LOGOUT_TTL_MS);
    },
    async logout(id: string): Promise<{ value: LogoutInProgress; version: number } | undefined> {
      return state.get<LogoutInProgress>(key.logout(id));
    },
    saveLogout: (logout: LogoutInProgress, version: number) =>
      state.replace(key.logout(logout.id), version, logout, LOGOUT_TTL_MS),
    endLogout: (id: string) => state.delete(key.logout(id)),
  };
}

export type SamlState = ReturnType<typeof createSamlState>;
