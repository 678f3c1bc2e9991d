// The sample's sessions: an in-memory map keyed by a random id in an HttpOnly cookie, as in the OIDC sample.
import { randomBytes } from 'node:crypto';

/** What the sample keeps of a SAML login: what the home page shows and what Single Logout needs. */
export interface SamlUser {
  issuer: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex?: string;
  authnContextClassRef?: string;
  authnInstant?: string;
  attributes: { name: string; values: string[] }[];
}

export interface SessionStore {
  get(id: string | undefined): SamlUser | undefined;
  create(user: SamlUser): string;
  destroy(id: string | undefined): void;
  /** Single Logout from the IdP names the user, not the cookie: ends every session of that NameID there. */
  destroyByNameId(nameId: string, sessionIndex?: string): number;
}

const TTL_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

export function createSessionStore(now: () => number = Date.now): SessionStore {
  const sessions = new Map<string, { user: SamlUser; expiresAt: number }>();
  return {
    get(id) {
      if (id === undefined) return undefined;
      const entry = sessions.get(id);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        sessions.delete(id);
        return undefined;
      }
      return entry.user;
    },
    create(user) {
      if (sessions.size >= MAX_SESSIONS) {
        const oldest = sessions.keys().next().value;
        if (oldest !== undefined) sessions.delete(oldest);
      }
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, { user, expiresAt: now() + TTL_MS });
      return id;
    },
    destroy(id) {
      if (id !== undefined) sessions.delete(id);
    },
    destroyByNameId(nameId, sessionIndex) {
      let ended = 0;
      for (const [id, entry] of sessions) {
        if (entry.user.nameId !== nameId) continue;
        if (sessionIndex && entry.user.sessionIndex && entry.user.sessionIndex !== sessionIndex) continue;
        sessions.delete(id);
        ended += 1;
      }
      return ended;
    },
  };
}
