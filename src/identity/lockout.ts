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

export async function recordFailure(db: Db, userId: string, kind: FailureKind, policy: LockPolicy, now = Date.now()): Promise<FailureResult> {
  let row: { count: number } | undefined;
  if (kind === 'password') {
    const windowStart = now - (policy.windowMinutes ?? 15) * 60_000;
    row = await db
      .updateTable('users')
      .set({
        failed_password_count: sql`case when failed_password_since is null or failed_password_since < ${windowStart} then 1 else failed_password_count + 1 end`,
        failed_password_since: sql`case when failed_password_since is null or failed_password_since < ${windowStart} then ${now} else failed_password_since end`,
      })
      .where('id', '=', userId)
      .returning('failed_password_count as count')
      .executeTakeFirst();
  } else {
    row = await db
      .updateTable('users')
      .set({ failed_otp_count: sql`failed_otp_count + 1` })
      .where('id', '=', userId)
      .returning('failed_otp_count as count')
      .executeTakeFirst();
  }
  const count = Number(row?.count ?? 0);
  if (count < policy.maxAttempts) return { count, locked: false, lockedUntil: null };
  const lockedUntil = now + policy.lockMinutes * 60_000;
  // Only the increment that reached the limit locks, and it zeroes the counter, as WSO2 does.
  const column = kind === 'password' ? 'failed_password_count' : 'failed_otp_count';
  await db
    .updateTable('users')
    .set({ locked_until: lockedUntil, locked_reason: LockReason[kind], lockout_count: sql`lockout_count + 1`, [column]: 0 })
    .where('id', '=', userId)
    .execute();
  return { count, locked: true, lockedUntil };
}

export async function resetFailures(db: Db, userId: string, kind: FailureKind): Promise<void> {
  const set = kind === 'password' ? { failed_password_count: 0, failed_password_since: null } : { failed_otp_count: 0 };
  await db.updateTable('users').set(set).where('id', '=', userId).execute();
}

export async function unlockUser(db: Db, userId: string): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set({ locked_until: null, locked_reason: null, failed_password_count: 0, failed_password_since: null, failed_otp_count: 0 })
    .where('id', '=', userId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
