/**
 * Migration 0002 on a real database holding rows written before it: usernames are folded (a collision is reported,
 * never merged), stored numbers become E.164 (one that cannot is reported, masked), and the subject values of an
 * application's subject claim are collected (users sharing one are reported).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Migration, Migrator } from 'kysely';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { getUserByUsername } from '../../src/identity/users.js';
import { type Db, migrate, type OpenedDb, openDatabase } from '../../src/store/db.js';
import * as m0001 from '../../src/store/migrations/0001_initial.js';
import { suiteNeeding, variants } from '../support/backends.js';

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `migration 0002 on ${backend.name}`, () => {
    let made: Awaited<ReturnType<typeof backend.create>>;
    let opened: OpenedDb;
    let db: Db;
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);

    const addUser = async (id: string, username: string, attributes: Record<string, string> = {}) => {
      await db
        .insertInto('users')
        .values({
          id,
          username,
          password_hash: null,
          enabled: 1,
          failed_password_count: 0,
          failed_password_since: null,
          failed_otp_count: 0,
          locked_until: null,
          locked_reason: null,
          lockout_count: 0,
          created_at: Number(id.slice(1)),
          updated_at: 0,
        })
        .execute();
      for (const [name, value] of Object.entries(attributes))
        await db.insertInto('user_attributes').values({ user_id: id, name, value }).execute();
    };
    const mobileOf = async (id: string) =>
      (
        await db
          .selectFrom('user_attributes')
          .select('value')
          .where('user_id', '=', id)
          .where('name', '=', 'mobile')
          .executeTakeFirst()
      )?.value;

    before(async () => {
      made = await backend.create();
      opened = openDatabase(made.url);
      db = opened.db;
      // the schema as it was before 0002, with rows the old code accepted
      const first = new Migrator({
        db,
        provider: { getMigrations: async () => ({ '0001_initial': m0001 as Migration }) },
      });
      assert.equal((await first.migrateToLatest()).error, undefined);
      await db
        .insertInto('local_claims')
        .values({
          uri: ClaimUri.mobile,
          display_name: 'Mobile',
          description: '',
          mapped_attribute: 'mobile',
          supported_by_default: 1,
          required: 0,
          read_only: 0,
          regex: null,
          display_order: 5,
          system: 1,
        })
        .execute();
      await db
        .insertInto('applications')
        .values({
          id: 'a_1',
          name: 'Dispatch',
          description: '',
          client_id: 'dispatch',
          client_secret_sealed: null,
          settings: JSON.stringify({ subjectClaimUri: ClaimUri.mobile }),
          created_at: 0,
          updated_at: 0,
        })
        .execute();
      await addUser('u1', 'admin', { mobile: '+94 77 765 4321' });
      await addUser('u2', 'Admin', { mobile: '+94777654321' });
      await addUser('u3', 'Bob', { mobile: 'call me' });
      await addUser('u4', 'ＣＡＲＬ', { mobile: '+1 (650) 555-0100' });
      process.on('warning', onWarning);
      await migrate(db);
      // warnings are delivered on a later tick
      await new Promise((r) => setImmediate(r));
      process.off('warning', onWarning);
    });
    after(async () => {
      await opened.close();
      await made.drop();
    });

    test('usernames are folded; a name whose folded form is taken stays and is reported, not merged', async () => {
      const names = (await db.selectFrom('users').select(['id', 'username']).orderBy('id').execute()).map(
        (r) => `${r.id}:${r.username}`,
      );
      assert.deepEqual(names, ['u1:admin', 'u2:Admin', 'u3:bob', 'u4:carl']);
      const collisions = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('event', '=', 'migration.username-collision')
        .execute();
      assert.deepEqual(
        collisions.map((e) => [e.user_id, JSON.parse(e.data)]),
        [['u2', { username: 'Admin', foldsTo: 'admin' }]],
      );
      // typed in any case, the folded row answers; the unfolded one is still reachable by its exact name
      assert.equal((await getUserByUsername(db, 'ADMIN'))?.id, 'u1');
      assert.equal((await getUserByUsername(db, 'bOB'))?.id, 'u3');
      assert.equal((await getUserByUsername(db, 'carl'))?.id, 'u4');
    });

    test('numbers become E.164; one that cannot is kept and reported masked', async () => {
      assert.equal(await mobileOf('u1'), '+94777654321');
      assert.equal(await mobileOf('u2'), '+94777654321');
      assert.equal(await mobileOf('u3'), 'call me');
      assert.equal(await mobileOf('u4'), '+16505550100');
      const reported = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('event', '=', 'migration.mobile-not-normalised')
        .execute();
      assert.deepEqual(
        reported.map((e) => e.user_id),
        ['u3'],
      );
      assert.doesNotMatch(reported[0]!.data, /call me/);
      assert.ok(warnings.some((w) => /mobile-not-normalised/.test(w)));
    });

    test('subject values are collected; two users with one number after normalising are reported, not both kept', async () => {
      const rows = await db.selectFrom('subject_values').select(['user_id', 'attribute']).orderBy('user_id').execute();
      assert.deepEqual(
        rows.map((r) => r.user_id),
        ['u1', 'u3', 'u4'],
      );
      const shared = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('event', '=', 'migration.subject-collision')
        .execute();
      assert.deepEqual(
        shared.map((e) => e.user_id),
        ['u2'],
      );
      assert.doesNotMatch(shared[0]!.data, /\+94/);
    });
  });
}
