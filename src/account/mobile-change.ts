/**
 * Changing one's mobile number: the new number gets a code, and it replaces the old one only when that code comes
 * back, within ten minutes, to the same My Account session. The code is kept as a keyed hash bound to the session
 * and the number; wrong codes and sends are counted in the shared state store, so every node enforces the limits.
 * The subject-claim uniqueness rule applies twice: before a code is sent and, atomically, when the number is saved.
 */
import { randomInt } from 'node:crypto';
import { type Keyring, safeEqual } from '../crypto/keyring.js';
import { ClaimUri } from '../identity/claim-uris.js';
import { ConflictError, ValidationError } from '../identity/errors.js';
import { normalisePhone } from '../identity/phone.js';
import { subjectAttributes, subjectKey } from '../identity/subjects.js';
import { setUserClaims, type User } from '../identity/users.js';
import type { StateStore } from '../state/state-store.js';
import type { Db } from '../store/db.js';

export const CODE_TTL_MS = 10 * 60_000;
/** wrong codes one pending change may take; the next ends it */
export const MAX_WRONG_CODES = 5;
/** codes one user may have sent to new numbers per hour */
export const MAX_SENDS_PER_HOUR = 5;

export interface PendingNumber {
  userId: string;
  number: string;
  codeHash: string;
  startedAt: number;
}

export type StartResult =
  | { ok: true; number: string; code: string }
  | { ok: false; reason: 'invalid-number' | 'same-number' | 'number-taken' | 'too-many-sends' };

export type ConfirmResult =
  | { ok: true; number: string }
  | { ok: false; reason: 'no-pending' | 'wrong-code' | 'too-many-wrong-codes' | 'number-taken' };

export interface MobileChangeDeps {
  db: Db;
  state: StateStore;
  keyring: Keyring;
}

const pendingKey = (sessionId: string) => `account:mobile:${sessionId}`;
const triesKey = (sessionId: string) => `account:mobile-tries:${sessionId}`;

export function createMobileChanges(deps: MobileChangeDeps) {
  const hash = (sessionId: string, number: string, code: string) =>
    deps.keyring.mac('account-mobile-code', sessionId, number, code);

  /** Another user holds this number as a subject value (the claim is some application's subject claim). */
  async function takenByOther(userId: string, number: string): Promise<boolean> {
    const claim = await deps.db
      .selectFrom('local_claims')
      .select('mapped_attribute')
      .where('uri', '=', ClaimUri.mobile)
      .executeTakeFirst();
    if (!claim || !(await subjectAttributes(deps.db)).has(claim.mapped_attribute)) return false;
    const holder = await deps.db
      .selectFrom('subject_values')
      .select('user_id')
      .where('attribute', '=', claim.mapped_attribute)
      .where('value_key', '=', subjectKey(number))
      .executeTakeFirst();
    return holder !== undefined && holder.user_id !== userId;
  }

  return {
    /** Checks the typed number and makes the code to send to it; the caller sends it. */
    async start(user: User, sessionId: string, typed: string, current: string | undefined, defaultCountry?: string) {
      const phone = normalisePhone(typed.slice(0, 64), defaultCountry);
      if (!phone.ok) return { ok: false, reason: 'invalid-number' } satisfies StartResult;
      const now = current ? normalisePhone(current) : undefined;
      if (now?.ok && now.e164 === phone.e164) return { ok: false, reason: 'same-number' } satisfies StartResult;
      if (await takenByOther(user.id, phone.e164)) return { ok: false, reason: 'number-taken' } satisfies StartResult;
      if ((await deps.state.increment(`account:mobile-sends:${user.id}`, 3_600_000)) > MAX_SENDS_PER_HOUR)
        return { ok: false, reason: 'too-many-sends' } satisfies StartResult;
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const pending: PendingNumber = {
        userId: user.id,
        number: phone.e164,
        codeHash: hash(sessionId, phone.e164, code),
        startedAt: Date.now(),
      };
      // a new number replaces a pending one (and its tries): the old code is dead
      await deps.state.delete(pendingKey(sessionId));
      await deps.state.resetCounter(triesKey(sessionId));
      await deps.state.create(pendingKey(sessionId), pending, CODE_TTL_MS);
      return { ok: true, number: phone.e164, code } satisfies StartResult;
    },

    async pending(sessionId: string): Promise<PendingNumber | undefined> {
      return (await deps.state.get<PendingNumber>(pendingKey(sessionId)))?.value;
    },

    async cancel(sessionId: string): Promise<void> {
      await deps.state.delete(pendingKey(sessionId));
    },

    /**
     * The code from the new number: saves it as the user's mobile number (subject uniqueness checked atomically),
     * with `alongside` (the audit event, told the new number) in the same transaction.
     */
    async confirm(
      user: User,
      sessionId: string,
      typed: string,
      alongside?: (trx: Db, number: string) => Promise<void>,
    ): Promise<ConfirmResult> {
      const record = await deps.state.get<PendingNumber>(pendingKey(sessionId));
      const pending = record?.value;
      // an emptied code hash: another submission is saving this change right now
      if (
        !pending ||
        pending.codeHash === '' ||
        pending.userId !== user.id ||
        Date.now() - pending.startedAt > CODE_TTL_MS
      )
        return { ok: false, reason: 'no-pending' };
      const code = typed.replace(/\s+/g, '').slice(0, 16);
      if (!/^\d{6}$/.test(code) || !safeEqual(hash(sessionId, pending.number, code), pending.codeHash)) {
        if ((await deps.state.increment(triesKey(sessionId), CODE_TTL_MS)) >= MAX_WRONG_CODES) {
          await deps.state.delete(pendingKey(sessionId));
          return { ok: false, reason: 'too-many-wrong-codes' };
        }
        return { ok: false, reason: 'wrong-code' };
      }
      // used once: of two submissions of the right code, only the one that removes the pending change saves it
      if (!(await deps.state.replace(pendingKey(sessionId), record!.version, { ...pending, codeHash: '' }, 1000)))
        return { ok: false, reason: 'no-pending' };
      await deps.state.delete(pendingKey(sessionId));
      try {
        await deps.db.transaction().execute(async (trx) => {
          await setUserClaims(trx, user.id, { [ClaimUri.mobile]: pending.number });
          await alongside?.(trx, pending.number);
        });
      } catch (err) {
        if (err instanceof ConflictError) return { ok: false, reason: 'number-taken' };
        if (err instanceof ValidationError) return { ok: false, reason: 'no-pending' };
        throw err;
      }
      return { ok: true, number: pending.number };
    },
  };
}

export type MobileChanges = ReturnType<typeof createMobileChanges>;
