/**
 * A user's authenticator apps in `totp_credentials`: the secret sealed with the master key, a label, created and
 * last-used times. A code passes once: `consume` moves the credential's last used time step forward in one
 * conditional UPDATE on the shared database, so the same code (or an older one) is refused afterwards on every node,
 * however two submissions race.
 */
import type { Keyring } from '../../crypto/keyring.js';
import { newId } from '../../identity/ids.js';
import type { Db } from '../../store/db.js';
import type { TotpCredentialsTable } from '../../store/schema.js';
import { matchingStep, type TotpParameters } from './code.js';
import { SEAL_PURPOSE } from './config.js';

export interface TotpCredential {
  id: string;
  userId: string;
  label: string;
  digits: number;
  period: number;
  algorithm: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** What a code is for a user: good (and now used), already used, or no match. */
export type CodeCheck =
  | { kind: 'passed'; credential: TotpCredential; step: number }
  | { kind: 'replayed'; credential: TotpCredential }
  | { kind: 'wrong' };

/** the columns read back: all but the replay guard's step, which only `consume` and `add` touch */
type Row = Omit<TotpCredentialsTable, 'last_used_step'>;

const toCredential = (r: Row): TotpCredential => ({
  id: r.id,
  userId: r.user_id,
  label: r.label,
  digits: Number(r.digits),
  period: Number(r.period),
  algorithm: r.algorithm,
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

export function createTotpCredentialStore(db: Db, keyring: Keyring) {
  const rows = (userId: string, within: Db = db) =>
    within
      .selectFrom('totp_credentials')
      .select([
        'id',
        'user_id',
        'label',
        'secret_sealed',
        'digits',
        'period',
        'algorithm',
        'created_at',
        'last_used_at',
      ])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute() as Promise<Row[]>;

  /** Moves the last used step to `step` when it is later than the one stored: true for the one caller that did. */
  async function consume(id: string, step: number, now: number, within: Db = db): Promise<boolean> {
    const result = await within
      .updateTable('totp_credentials')
      .set({ last_used_step: step, last_used_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  return {
    seal: (secret: string) => keyring.seal(secret, SEAL_PURPOSE),
    open: (sealed: string) => keyring.open(sealed, SEAL_PURPOSE),

    async list(userId: string, within: Db = db): Promise<TotpCredential[]> {
      return (await rows(userId, within)).map(toCredential);
    },

    async has(userId: string): Promise<boolean> {
      const row = await db
        .selectFrom('totp_credentials')
        .select('id')
        .where('user_id', '=', userId)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /**
     * Stores a confirmed app; `usedStep` is the step its confirming code belonged to, so that code cannot pass a login
     * afterwards. In the caller's transaction when given one.
     */
    async add(
      userId: string,
      input: { secret: string; label: string } & TotpParameters,
      usedStep: number,
      now: number,
      within: Db = db,
    ): Promise<TotpCredential> {
      const row: TotpCredentialsTable = {
        id: newId('totp_'),
        user_id: userId,
        label: input.label,
        secret_sealed: keyring.seal(input.secret, SEAL_PURPOSE),
        digits: input.digits,
        period: input.period,
        algorithm: input.algorithm ?? 'SHA1',
        created_at: now,
        last_used_at: now,
        last_used_step: usedStep,
      };
      await within.insertInto('totp_credentials').values(row).execute();
      return toCredential(row);
    },

    async remove(userId: string, id: string, within: Db = db): Promise<boolean> {
      const result = await within
        .deleteFrom('totp_credentials')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    /** Checks a code against each of the user's apps, and uses it up when it passes. */
    async check(userId: string, code: string, now: number, drift: number): Promise<CodeCheck> {
      for (const row of await rows(userId)) {
        const step = matchingStep(keyring.open(row.secret_sealed, SEAL_PURPOSE), code, row, now, drift);
        if (step === undefined) continue;
        const credential = toCredential(row);
        return (await consume(row.id, step, now))
          ? { kind: 'passed', credential, step }
          : { kind: 'replayed', credential };
      }
      return { kind: 'wrong' };
    },
  };
}

export type TotpCredentialStore = ReturnType<typeof createTotpCredentialStore>;
