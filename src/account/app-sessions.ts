/**
 * The user's sessions with applications: oidc-provider's `Session` records (one per browser that signed in to an
 * application) and the `Grant`s behind their tokens, read from and ended in the `oidc_models` table that
 * oidc/adapter.ts keeps. Revoking a session deletes it and every grant it holds, with the grants' tokens (access,
 * refresh, codes): a refresh token of a revoked session stops working at once, on every node. Each session's device
 * and address are what the sign-in's request said (devices.ts in the web layer records them).
 */
import type { StateStore } from '../state/state-store.js';
import type { Db } from '../store/db.js';
import type { Alongside } from '../store/transaction.js';

export interface AppSession {
  /** oidc-provider's session uid (stable for the session's life; the cookie holds another id) */
  uid: string;
  /** when the user signed in, ms */
  loginAt: number;
  expiresAt: number | null;
  applications: { clientId: string; name: string }[];
  userAgent?: string;
  ip?: string;
}

export interface DeviceRecord {
  userAgent: string;
  ip: string;
  at: number;
}

interface SessionPayload {
  accountId?: string;
  uid?: string;
  loginTs?: number;
  authorizations?: Record<string, { grantId?: string }>;
}

export const deviceKey = (uid: string) => `account:device:${uid}`;
/** as long as an OP session lives (oidc/provider.ts: Session 24 h) */
export const DEVICE_TTL_MS = 24 * 3600 * 1000;

/** Rows of one model that belong to the user (the LIKE narrows, the parsed accountId decides). */
async function rowsOf(db: Db, model: 'Session' | 'Grant', userId: string, now: number) {
  const rows = await db
    .selectFrom('oidc_models')
    .select(['id', 'uid', 'payload', 'expires_at'])
    .where('model', '=', model)
    .where('payload', 'like', `%"accountId":"${userId.replace(/[%\\"]/g, '_')}%`)
    .execute();
  return rows
    .map((r) => ({
      ...r,
      expires_at: r.expires_at === null ? null : Number(r.expires_at),
      parsed: JSON.parse(r.payload),
    }))
    .filter((r) => (r.parsed as SessionPayload).accountId === userId && (r.expires_at === null || r.expires_at > now));
}

export async function listAppSessions(
  db: Db,
  state: StateStore,
  userId: string,
  names: (clientId: string) => Promise<string | undefined>,
  now = Date.now(),
): Promise<AppSession[]> {
  const out: AppSession[] = [];
  for (const row of await rowsOf(db, 'Session', userId, now)) {
    const p = row.parsed as SessionPayload;
    const uid = row.uid ?? p.uid;
    if (!uid) continue;
    const clientIds = Object.keys(p.authorizations ?? {});
    const device = (await state.get<DeviceRecord>(deviceKey(uid)))?.value;
    out.push({
      uid,
      loginAt: (p.loginTs ?? 0) * 1000,
      expiresAt: row.expires_at,
      applications: await Promise.all(
        clientIds.map(async (clientId) => ({ clientId, name: (await names(clientId)) ?? clientId })),
      ),
      ...(device ? { userAgent: device.userAgent, ip: device.ip } : {}),
    });
  }
  return out.sort((a, b) => b.loginAt - a.loginAt);
}

/** Deletes the grants and every token issued under them. */
async function revokeGrants(db: Db, grantIds: string[]): Promise<void> {
  if (grantIds.length === 0) return;
  await db.deleteFrom('oidc_models').where('grant_id', 'in', grantIds).execute();
  await db.deleteFrom('oidc_models').where('model', '=', 'Grant').where('id', 'in', grantIds).execute();
}

/**
 * Ends one session of the user with its grants; false when the user has no such session. `alongside` (the audit
 * event) commits in the transaction of the deletes.
 */
export async function revokeAppSession(
  db: Db,
  state: StateStore,
  userId: string,
  uid: string,
  alongside?: Alongside,
): Promise<boolean> {
  const rows = (await rowsOf(db, 'Session', userId, Date.now())).filter((r) => (r.uid ?? r.parsed.uid) === uid);
  if (rows.length === 0) return false;
  await db.transaction().execute(async (trx) => {
    for (const row of rows) {
      const grants = Object.values((row.parsed as SessionPayload).authorizations ?? {})
        .map((a) => a.grantId)
        .filter((g): g is string => typeof g === 'string');
      await revokeGrants(trx, grants);
      await trx.deleteFrom('oidc_models').where('model', '=', 'Session').where('id', '=', row.id).execute();
    }
    await alongside?.(trx);
  });
  await state.delete(deviceKey(uid));
  return true;
}

/**
 * Ends every session of the user and every grant (also those that outlived their session): counts of each.
 * `alongside` (the audit event, told the counts) commits in the transaction of the deletes.
 */
export async function revokeAllAppSessions(
  db: Db,
  state: StateStore,
  userId: string,
  alongside?: (trx: Db, ended: { sessions: number; grants: number }) => Promise<void>,
): Promise<{ sessions: number; grants: number }> {
  const now = Date.now();
  const sessions = await rowsOf(db, 'Session', userId, now);
  const grants = await rowsOf(db, 'Grant', userId, now);
  await db.transaction().execute(async (trx) => {
    await revokeGrants(
      trx,
      grants.map((g) => g.id),
    );
    for (const s of sessions) {
      const held = Object.values((s.parsed as SessionPayload).authorizations ?? {})
        .map((a) => a.grantId)
        .filter((g): g is string => typeof g === 'string');
      await revokeGrants(trx, held);
      await trx.deleteFrom('oidc_models').where('model', '=', 'Session').where('id', '=', s.id).execute();
    }
    await alongside?.(trx, { sessions: sessions.length, grants: grants.length });
  });
  for (const s of sessions) if (s.uid) await state.delete(deviceKey(s.uid));
  return { sessions: sessions.length, grants: grants.length };
}
