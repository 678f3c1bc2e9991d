/**
 * Backup codes: single-use look-up secrets, stored only as salted HMAC-SHA-256 under a key derived from the master key
 * (NIST 800-63B 3.1.2: salted and hashed; the keyed hash makes a stolen table useless without the master key).
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';
import { safeEqual } from '../crypto/keyring.js';
import type { Db } from '../store/db.js';
import { ValidationError } from './errors.js';
import { newId } from './ids.js';

const PURPOSE = 'backup-code';
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Normalises what a person types: trims, lower-cases, drops spaces and dashes used for readability. */
export function normaliseBackupCode(code: string): string {
  return code.trim().toLowerCase().replace(/[\s-]/g, '');
}

export function parseBackupCodeList(value: string): string[] {
  const codes = value
    .split(',')
    .map(normaliseBackupCode)
    .filter((c) => c !== '');
  for (const c of codes) {
    if (c.length > 64)
      throw new ValidationError([{ field: 'backupCodes', message: 'a backup code is longer than 64 characters' }]);
  }
  if (codes.length > 100) throw new ValidationError([{ field: 'backupCodes', message: 'at most 100 backup codes' }]);
  return [...new Set(codes)];
}

/** Ten codes of 12 characters from a 31-symbol alphabet (~59 bits each), formatted xxxx-xxxx-xxxx. */
export function generateBackupCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const raw = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
  });
}

export function createBackupCodeStore(db: Db, keyring: Keyring) {
  const hashOf = (salt: string, code: string) => keyring.mac(PURPOSE, salt, normaliseBackupCode(code));
  return {
    /**
     * Replaces every code of the user with these (an empty list removes them all), in the caller's transaction
     * when given one (a nested transaction would wait forever for SQLite's one connection).
     */
    async replace(userId: string, codes: string[], now = Date.now(), within?: Db): Promise<void> {
      const write = async (trx: Db) => {
        await trx.deleteFrom('backup_codes').where('user_id', '=', userId).execute();
        for (const code of codes) {
          const salt = randomBytes(16).toString('hex');
          await trx
            .insertInto('backup_codes')
            .values({
              id: newId('bc_'),
              user_id: userId,
              salt,
              hash: hashOf(salt, code),
              created_at: now,
              used_at: null,
            })
            .execute();
        }
      };
      if (within?.isTransaction) await write(within);
      else await db.transaction().execute(write);
    },
    async remaining(userId: string): Promise<number> {
      const r = await db
        .selectFrom('backup_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /** Consumes a matching unused code; the conditional UPDATE makes two concurrent uses of one code succeed once. */
    async consume(userId: string, code: string, now = Date.now()): Promise<boolean> {
      const candidate = normaliseBackupCode(code);
      if (candidate === '' || candidate.length > 64) return false;
      const rows = await db
        .selectFrom('backup_codes')
        .select(['id', 'salt', 'hash'])
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .execute();
      let match: string | undefined;
      for (const row of rows) {
        // every row is checked so the time taken does not tell which code matched
        if (safeEqual(hashOf(row.salt, candidate), row.hash)) match ??= row.id;
      }
      if (!match) return false;
      const r = await db
        .updateTable('backup_codes')
        .set({ used_at: now })
        .where('id', '=', match)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export type BackupCodeStore = ReturnType<typeof createBackupCodeStore>;
