// The sample's server-side sessions: an in-memory map keyed by a random id that lives in an HttpOnly cookie.
import { randomBytes } from 'node:crypto';

/** What the sample remembers between the Login click and the callback. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  startedAt: number;
}

/** What the sample knows once the user is logged in. */
export interface LoggedInUser {
  sub: string;
  idToken: string;
  idTokenHeader: Record<string, unknown>;
  idTokenClaims: Record<string, unknown>;
  userinfo: Record<string, unknown> | undefined;
}

export interface Session {
  pending?: PendingLogin;
  user?: LoggedInUser;
  expiresAt: number;
}

export interface SessionStore {
  get(id: string | undefined): Session | undefined;
  /** Stores a session under a new id and returns the id (used at creation and to rotate the id after login). */
  create(session: Omit<Session, 'expiresAt'>): string;
  destroy(id: string | undefined): void;
}

export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

export function createSessionStore(ttlMs: number = SESSION_TTL_MS, now: () => number = Date.now): SessionStore {
  const sessions = new Map<string, Session>();
  return {
    get(id) {
      if (id === undefined) return undefined;
      const session = sessions.get(id);
      if (session === undefined) return undefined;
      if (session.expiresAt <= now()) {
        sessions.delete(id);
        return undefined;
      }
      return session;
    },
    create(session) {
      // Maps iterate in insertion order, so the first entry is the oldest: drop it when full.
      if (sessions.size >= MAX_SESSIONS) {
        const oldest = sessions.keys().next().value;
        if (oldest !== undefined) sessions.delete(oldest);
      }
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, { ...session, expiresAt: now() + ttlMs });
      return id;
    },
    destroy(id) {
      if (id !== undefined) sessions.delete(id);
    },
  };
}
