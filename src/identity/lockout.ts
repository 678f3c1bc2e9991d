/**
 * Failure counters and account locks, kept in the users table so that every node counts the same failures:
 * each increment is one atomic UPDATE … RETURNING on the shared database.
 */
import { sql } from 'kysely';
import type { Db } from '../store/db.js';

export type FailureKind = 'password' | 'otp';

export interface LockPolicy {
  maxAttempts: number;
  lockMinutes: number;
  /** password failures older than this window start a new count; OTP failures count until a success */
  windowMinutes?: number;
}

export interface FailureResult {
  count: number;
  locked: boolean;
  lockedUntil: number | null;
}

export const LockReason = {
  password: 'MAX_PASSWORD_ATTEMPTS_EXCEEDED',
  otp: 'MAX_SMS_OTP_ATTEMPTS_EXCEEDED',
} as const;

/** `reason`: what the lock records as its reason (an authenticator may name its own, e.g. TOTP's). */
export async function recordFailure(
  db: Db,
  userId: string,
  kind: FailureKind,
  policy: LockPolicy,
  now = Date.now(),
  reason: string = LockReason[kind],
): Promise<FailureResult> {
  const max = policy.maxAttempts;
  const until = now + policy.lockMinutes * 60_000;
  // One statement does the increment and, when it reaches the limit, the lock (zeroing the counter, as WSO2 does),
  // so concurrent failures on any node serialise on the row and exactly every max-th failure locks.
  let row: { count: number; locked_until: number | null } | undefined;
  if (kind === 'password') {
    const windowStart = now - (policy.windowMinutes ?? 15) * 60_000;
    const next = sql<number>`(case when failed_password_since is null or failed_password_since < ${windowStart} then 1 else failed_password_count + 1 end)`;
    row = await db
      .updateTable('users')
      .set({
        failed_password_count: sql`case when ${next} >= ${max} then 0 else ${next} end`,
        failed_password_since: sql`case when ${next} >= ${max} then null when failed_password_since is null or failed_password_since < ${windowStart} then ${now} else failed_password_since end`,
        locked_until: sql`case when ${next} >= ${max} then ${until} else locked_until end`,
        locked_reason: sql`case when ${next} >= ${max} then ${reason} else locked_reason end`,
        lockout_count: sql`case when ${next} >= ${max} then lockout_count + 1 else lockout_count end`,
      })
      .where('id', '=', userId)
      .returning(['failed_password_count as count', 'locked_until'])
      .executeTakeFirst();
  } else {
    row = await db
      .updateTable('users')
      .set({
        failed_otp_count: sql`case when failed_otp_count + 1 >= ${max} then 0 else failed_otp_count + 1 end`,
        locked_until: sql`case when failed_otp_count + 1 >= ${max} then ${until} else locked_until end`,
        locked_reason: sql`case when failed_otp_count + 1 >= ${max} then ${reason} else locked_reason end`,
        lockout_count: sql`case when failed_otp_count + 1 >= ${max} then lockout_count + 1 else lockout_count end`,
      })
      .where('id', '=', userId)
      .returning(['failed_otp_count as count', 'locked_until'])
      .executeTakeFirst();
  }
  if (!row) return { count: 0, locked: false, lockedUntil: null };
  const lockedNow = Number(row.count) === 0 && Number(row.locked_until) === until;
  return lockedNow
    ? { count: max, locked: true, lockedUntil: until }
    : { count: Number(row.count), locked: false, lockedUntil: null };
}

export async function resetFailures(db: Db, userId: string, kind: FailureKind): Promise<void> {
  const set = kind === 'password' ? { failed_password_count: 0, failed_password_since: null } : { failed_otp_count: 0 };
  await db.updateTable('users').set(set).where('id', '=', userId).execute();
}

export async function unlockUser(db: Db, userId: string): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set({
      locked_until: null,
      locked_reason: null,
      failed_password_count: 0,
      failed_password_since: null,
      failed_otp_count: 0,
    })
    .where('id', '=', userId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
