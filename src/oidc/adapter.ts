/**
 * oidc-provider's storage adapter over our database: one table keyed by model and id, with an expiry.
 * The `Client` model is not stored here: clients are Stepgate applications, read from their own table.
 */
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { Db } from '../store/db.js';

export type ClientLoader = (clientId: string) => Promise<AdapterPayload | undefined>;

export function createAdapterFactory(db: Db, loadClient: ClientLoader, clock: () => number = Date.now) {
  return class SqlAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? clock() + expiresIn * 1000 : null;
      const row = {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: (payload.grantId as string | undefined) ?? null,
        user_code: (payload.userCode as string | undefined) ?? null,
        uid: (payload.uid as string | undefined) ?? null,
        expires_at: expiresAt,
        consumed_at: null,
      };
      await db
        .insertInto('oidc_models')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['model', 'id']).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            user_code: row.user_code,
            uid: row.uid,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    }

    private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const row = await db
        .selectFrom('oidc_models')
        .select(['payload', 'expires_at', 'consumed_at'])
        .where('model', '=', this.model)
        .where(column, '=', value)
        .executeTakeFirst();
      if (!row) return undefined;
      if (row.expires_at !== null && row.expires_at <= clock()) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      return row.consumed_at !== null ? { ...payload, consumed: Math.floor(row.consumed_at / 1000) } : payload;
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return loadClient(id);
      return this.findBy('id', id);
    }

    findByUid(uid: string) {
      return this.findBy('uid', uid);
    }

    findByUserCode(userCode: string) {
      return this.findBy('user_code', userCode);
    }

    /**
     * Single use, atomically: of two requests redeeming one code or refresh token at the same moment (each saw it
     * unconsumed), only the one whose UPDATE finds it unconsumed wins. The other is a replay like any later one:
     * the grant is revoked, as oidc-provider does when it sees `consumed`, and the request fails with invalid_grant.
     */
    async consume(id: string): Promise<void> {
      const result = await db
        .updateTable('oidc_models')
        .set({ consumed_at: clock() })
        .where('model', '=', this.model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) return;
      const row = await db
        .selectFrom('oidc_models')
        .select('grant_id')
        .where('model', '=', this.model)
        .where('id', '=', id)
        .executeTakeFirst();
      if (row?.grant_id) await this.revokeByGrantId(row.grant_id);
      throw new errors.InvalidGrant(`${this.model} already used`);
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_models').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oidc_models').where('grant_id', '=', grantId).execute();
    }
  };
}

/** Removes expired rows; run now and then (every node may run it, the DELETE is idempotent). */
export async function sweepExpired(db: Db, now = Date.now()): Promise<number> {
  const r = await db.deleteFrom('oidc_models').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
