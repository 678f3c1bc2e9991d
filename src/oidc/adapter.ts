/**
 * oidc-provider's storage adapter over our database: one table keyed by model and id, with an expiry.
 * The `Client` model is not stored here: clients are Stepgate applications, read from their own table.
 */
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import { compileOnce } from '../store/compile-once.js';
import type { Db } from '../store/db.js';

export type ClientLoader = (clientId: string) => Promise<AdapterPayload | undefined>;

export function createAdapterFactory(db: Db, loadClient: ClientLoader, clock: () => number = Date.now) {
  // every login saves and reads several models: these statements are compiled once (store/compile-once.ts)
  const findBy = (column: 'id' | 'uid' | 'user_code') =>
    compileOnce(db, 2, (model: string, value: string) =>
      db
        .selectFrom('oidc_models')
        .select(['payload', 'expires_at', 'consumed_at'])
        .where('model', '=', model)
        .where(column, '=', value),
    );
  const statements = {
    upsert: compileOnce(
      db,
      7,
      (
        model: string,
        id: string,
        payload: string,
        grantId: string | null,
        userCode: string | null,
        uid: string | null,
        expiresAt: number | null,
      ) =>
        db
          .insertInto('oidc_models')
          .values({
            model,
            id,
            payload,
            grant_id: grantId,
            user_code: userCode,
            uid,
            expires_at: expiresAt,
            consumed_at: null,
          })
          .onConflict((oc) =>
            oc.columns(['model', 'id']).doUpdateSet({
              payload,
              grant_id: grantId,
              user_code: userCode,
              uid,
              expires_at: expiresAt,
            }),
          ),
    ),
    findBy: { id: findBy('id'), uid: findBy('uid'), user_code: findBy('user_code') },
    consume: compileOnce(db, 3, (now: number, model: string, id: string) =>
      db
        .updateTable('oidc_models')
        .set({ consumed_at: now })
        .where('model', '=', model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null),
    ),
    // oidc-provider destroys each login's Interaction
    destroy: compileOnce(db, 2, (model: string, id: string) =>
      db.deleteFrom('oidc_models').where('model', '=', model).where('id', '=', id),
    ),
  };

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
      await statements.upsert.run(row.model, row.id, row.payload, row.grant_id, row.user_code, row.uid, row.expires_at);
    }

    private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const row = (await statements.findBy[column].run(this.model, value)).rows[0];
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
      const result = await statements.consume.run(clock(), this.model, id);
      if (Number(result.numAffectedRows ?? 0n) > 0) return;
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
      await statements.destroy.run(this.model, id);
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
