/**
 * My Account sessions: who signed in to /account/, with what (amr, acr) and when. Kept in the shared state store
 * (every node reads them; Redis in cluster mode) under a random id that the browser holds in a signed cookie, so a
 * sign-out or a revoke ends the session on every node at once.
 */
import { randomBytes } from 'node:crypto';
import { ACR } from '../authn/acr.js';
import type { StateStore } from '../state/state-store.js';

export interface AccountSession {
  id: string;
  userId: string;
  amr: string[];
  acr: string;
  /** when the user last proved who they are (the sign-in, or a re-authentication) */
  authTime: number;
  createdAt: number;
  userAgent: string;
  ip: string;
  /** the user's session generation when it was made: "End every session" moves it on, ending every older one */
  generation: number;
}

const key = (id: string) => `account:session:${id}`;
const generationKey = (userId: string) => `account:generation:${userId}`;
/** a generation counter outlives every session by far (a counter's window starts with its first increment) */
const GENERATION_WINDOW_MS = 400 * 24 * 3600 * 1000;

export function createAccountSessions(state: StateStore, ttlMs: number) {
  return {
    async create(
      input: Omit<AccountSession, 'id' | 'createdAt' | 'generation'>,
      now = Date.now(),
    ): Promise<AccountSession> {
      const session: AccountSession = {
        ...input,
        id: randomBytes(24).toString('base64url'),
        createdAt: now,
        generation: await state.count(generationKey(input.userId)),
      };
      await state.create(key(session.id), session, ttlMs);
      return session;
    },
    async get(id: string, now = Date.now()): Promise<AccountSession | undefined> {
      const found = (await state.get<AccountSession>(key(id)))?.value;
      if (!found || now - found.createdAt >= ttlMs) return undefined;
      return found.generation === (await state.count(generationKey(found.userId))) ? found : undefined;
    },
    /** Ends every My Account session of the user, on every node (the caller makes a new one for this browser). */
    async endAll(userId: string): Promise<void> {
      await state.increment(generationKey(userId), GENERATION_WINDOW_MS);
    },
    async destroy(id: string): Promise<void> {
      await state.delete(key(id));
    },
  };
}

export type AccountSessions = ReturnType<typeof createAccountSessions>;

/** The session passed two factors (the password and a second factor, or a passkey that verified its user). */
export const isTwoFactor = (s: Pick<AccountSession, 'acr'>): boolean => s.acr === ACR.twoFactors;

/** The user proved who they are within the re-authentication window: sensitive changes may go ahead. */
export const isFresh = (s: Pick<AccountSession, 'authTime'>, windowMs: number, now = Date.now()): boolean =>
  now - s.authTime <= windowMs;
