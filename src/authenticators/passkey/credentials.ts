/**
 * A user's passkeys in `webauthn_credentials`: the credential id the authenticator chose (base64url, unique across
 * users), its COSE public key, the last signature counter seen, transports, device type, label, created and last-used
 * times. The counter moves forward by one conditional UPDATE, so two logins racing with one assertion cannot both pass.
 */
import type { Db } from '../../store/db.js';
import type { WebauthnCredentialsTable } from '../../store/schema.js';

export interface PasskeyCredential {
  id: string;
  userId: string;
  label: string;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface StoredPasskey extends PasskeyCredential {
  publicKey: Uint8Array;
  signCount: number;
}

type Row = WebauthnCredentialsTable;

const COLUMNS = [
  'id',
  'user_id',
  'public_key',
  'sign_count',
  'transports',
  'device_type',
  'backed_up',
  'label',
  'created_at',
  'last_used_at',
] as const satisfies readonly (keyof Row)[];

const toStored = (r: Row): StoredPasskey => ({
  id: r.id,
  userId: r.user_id,
  label: r.label,
  transports: r.transports === '' ? [] : r.transports.split(','),
  deviceType: r.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
  backedUp: Number(r.backed_up) === 1,
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  publicKey: new Uint8Array(Buffer.from(r.public_key, 'base64url')),
  signCount: Number(r.sign_count),
});

/** What the admin API shows: never the public key or the counter. */
export function publicView(c: StoredPasskey): PasskeyCredential {
  const { publicKey: _k, signCount: _c, ...rest } = c;
  return rest;
}

export function createPasskeyCredentialStore(db: Db) {
  return {
    async list(userId: string): Promise<StoredPasskey[]> {
      const rows = (await db
        .selectFrom('webauthn_credentials')
        .select(COLUMNS)
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute()) as Row[];
      return rows.map(toStored);
    },

    async get(id: string): Promise<StoredPasskey | undefined> {
      const row = (await db
        .selectFrom('webauthn_credentials')
        .select(COLUMNS)
        .where('id', '=', id)
        .executeTakeFirst()) as Row | undefined;
      return row ? toStored(row) : undefined;
    },

    async has(userId: string): Promise<boolean> {
      const row = await db
        .selectFrom('webauthn_credentials')
        .select('id')
        .where('user_id', '=', userId)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async add(
      userId: string,
      input: {
        id: string;
        publicKey: Uint8Array;
        signCount: number;
        transports: string[];
        deviceType: string;
        backedUp: boolean;
        label: string;
      },
      now: number,
      /** the caller's transaction (My Account's audit event commits with the insert) */
      within: Db = db,
    ): Promise<StoredPasskey> {
      const row: Row = {
        id: input.id,
        user_id: userId,
        public_key: Buffer.from(input.publicKey).toString('base64url'),
        sign_count: input.signCount,
        transports: input.transports.join(','),
        device_type: input.deviceType,
        backed_up: input.backedUp ? 1 : 0,
        label: input.label,
        created_at: now,
        last_used_at: now,
      };
      await within.insertInto('webauthn_credentials').values(row).execute();
      return toStored(row);
    },

    async remove(userId: string, id: string, within: Db = db): Promise<boolean> {
      const result = await within
        .deleteFrom('webauthn_credentials')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    /** Records a use: the counter moves from `from` to `to` only while it is still `from` (true for the one caller). */
    async used(id: string, from: number, to: number, now: number): Promise<boolean> {
      const result = await db
        .updateTable('webauthn_credentials')
        .set({ sign_count: to, last_used_at: now })
        .where('id', '=', id)
        .where('sign_count', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** For tests and operators: sets the stored counter (a cloned authenticator's counter check). */
    async setSignCount(id: string, count: number): Promise<void> {
      await db.updateTable('webauthn_credentials').set({ sign_count: count }).where('id', '=', id).execute();
    },
  };
}

export type PasskeyCredentialStore = ReturnType<typeof createPasskeyCredentialStore>;
