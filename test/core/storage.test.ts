/** Storage suites, run on SQLite and (with DATABASE_URL) PostgreSQL; state store also on Redis with REDIS_URL. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createKeyring } from '../../src/crypto/keyring.js';
import { createBackupCodeStore, generateBackupCodes } from '../../src/identity/backup-codes.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { addLocalClaim, deleteLocalClaim, ensureDefaultClaims, getLocalClaim } from '../../src/identity/claims.js';
import { ConflictError, ValidationError } from '../../src/identity/errors.js';
import { recordFailure, resetFailures, unlockUser } from '../../src/identity/lockout.js';
import { createPasswordHasher } from '../../src/identity/passwords.js';
import {
  createUser,
  getUserById,
  getUserClaims,
  isLocked,
  listUsers,
  registerSpecialClaimWriter,
  setUserClaims,
} from '../../src/identity/users.js';
import { createMemoryStateStore } from '../../src/state/memory-store.js';
import { createRedisStateStore } from '../../src/state/redis-store.js';
import { createSqlStateStore } from '../../src/state/sql-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { type Db, migrate, openDatabase } from '../../src/store/db.js';
import { skipRedis, suiteNeeding, variants } from '../support/backends.js';

const hasher = createPasswordHasher({ memoryKiB: 8192, iterations: 1, parallelism: 1 });
const keyring = createKeyring(randomBytes(32));

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `storage on ${backend.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let drop: () => Promise<void>;
    before(async () => {
      const made = await backend.create();
      drop = made.drop;
      const opened = openDatabase(made.url);
      db = opened.db;
      close = opened.close;
      await migrate(db);
      await ensureDefaultClaims(db);
      const codes = createBackupCodeStore(db, keyring);
      registerSpecialClaimWriter('backup-codes', async (_db, userId, value) =>
        codes.replace(
          userId,
          value
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean),
        ),
      );
    });
    after(async () => {
      await close();
      await drop();
    });

    test('migrations are idempotent and the seed claims exist with their defaults', async () => {
      assert.deepEqual(await migrate(db), []);
      await ensureDefaultClaims(db);
      const disable = await getLocalClaim(db, ClaimUri.smsOtpDisabled);
      assert.equal(disable?.displayName, 'Disable SMSOTP');
      assert.equal(disable?.supportedByDefault, false);
      for (const uri of [
        ClaimUri.username,
        ClaimUri.mobile,
        ClaimUri.email,
        ClaimUri.givenName,
        ClaimUri.lastName,
        ClaimUri.accountLocked,
        ClaimUri.unlockTime,
        ClaimUri.failedSmsOtpAttempts,
      ]) {
        assert.ok(await getLocalClaim(db, uri), `${uri} missing`);
      }
    });

    test('admins add local claims; bad input names the field; a built-in claim cannot be deleted', async () => {
      const c = await addLocalClaim(db, {
        uri: ClaimUri.backupCodes,
        displayName: 'backupotp',
        description: 'Backup codes for SMS OTP',
        mappedAttribute: 'postalcode',
        supportedByDefault: true,
      });
      assert.equal(c.mappedAttribute, 'postalcode');
      await assert.rejects(
        addLocalClaim(db, { uri: ClaimUri.backupCodes, displayName: 'x', mappedAttribute: 'y' }),
        ConflictError,
      );
      await assert.rejects(
        addLocalClaim(db, { uri: 'not a uri', displayName: '', mappedAttribute: '1bad' }),
        (e: unknown) =>
          e instanceof ValidationError && e.problems.map((p) => p.field).join() === 'uri,displayName,mappedAttribute',
      );
      await assert.rejects(
        addLocalClaim(db, { uri: 'http://example.com/c', displayName: 'C', mappedAttribute: 'c', regex: '([' }),
        ValidationError,
      );
      await assert.rejects(deleteLocalClaim(db, ClaimUri.mobile), ConflictError);
      await addLocalClaim(db, { uri: 'http://example.com/temp', displayName: 'Temp', mappedAttribute: 'temp' });
      await deleteLocalClaim(db, 'http://example.com/temp');
      assert.equal(await getLocalClaim(db, 'http://example.com/temp'), undefined);
    });

    test('users: claims are checked against their regex, read-only claims refused, backup codes never read back', async () => {
      const u = await createUser(db, hasher, {
        username: `u${randomBytes(3).toString('hex')}`,
        password: 'a good long password',
        claims: { [ClaimUri.mobile]: '+94771234567' },
      });
      await assert.rejects(
        setUserClaims(db, u.id, { [ClaimUri.smsOtpDisabled]: 'maybe' }),
        (e: unknown) => e instanceof ValidationError && e.problems[0]!.field === ClaimUri.smsOtpDisabled,
      );
      await assert.rejects(setUserClaims(db, u.id, { [ClaimUri.accountLocked]: 'false' }), /read-only/);
      await setUserClaims(db, u.id, { [ClaimUri.smsOtpDisabled]: 'True', [ClaimUri.backupCodes]: '10300, 21390' });
      const claims = await getUserClaims(db, (await getUserById(db, u.id))!);
      assert.equal(claims[ClaimUri.smsOtpDisabled], 'True');
      assert.equal(claims[ClaimUri.mobile], '+94771234567');
      assert.equal(claims[ClaimUri.backupCodes], undefined);
      assert.equal(claims[ClaimUri.accountLocked], 'false');
      const rows = await db.selectFrom('backup_codes').selectAll().where('user_id', '=', u.id).execute();
      assert.equal(rows.length, 2);
      assert.ok(
        rows.every((r) => !r.hash.includes('10300') && !r.hash.includes('21390')),
        'a backup code is stored in clear',
      );
      const found = await listUsers(db, { attribute: { name: 'mobile', value: '+94771234567' } });
      assert.ok(found.users.some((x) => x.id === u.id));
      await assert.rejects(
        createUser(db, hasher, { username: u.username, password: 'another long password' }),
        ConflictError,
      );
      await assert.rejects(
        createUser(db, hasher, { username: 'bad name!', password: 'short' }),
        (e: unknown) => e instanceof ValidationError && e.problems.length === 2,
      );
    });

    test('backup codes: each works once, even when the same code is used concurrently', async () => {
      const u = await createUser(db, hasher, { username: `b${randomBytes(3).toString('hex')}` });
      const store = createBackupCodeStore(db, keyring);
      const codes = generateBackupCodes();
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      await store.replace(u.id, codes);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.consume(u.id, codes[3]!)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.consume(u.id, codes[3]!), false);
      assert.equal(await store.consume(u.id, codes[4]!.toUpperCase()), true, 'codes are case-insensitive');
      assert.equal(await store.consume(u.id, 'not-a-code'), false);
      assert.equal(await store.remaining(u.id), 8);
    });

    test('failure counters are atomic across concurrent requests and lock at the limit', async () => {
      const u = await createUser(db, hasher, { username: `l${randomBytes(3).toString('hex')}` });
      const now = Date.now();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => recordFailure(db, u.id, 'otp', { maxAttempts: 5, lockMinutes: 15 }, now)),
      );
      // every fifth failure locks and restarts the count: exactly two locks, and counts 1–4 twice otherwise
      assert.equal(results.filter((r) => r.locked).length, 2);
      assert.deepEqual(
        results
          .filter((r) => !r.locked)
          .map((r) => r.count)
          .sort((a, b) => a - b),
        [1, 1, 2, 2, 3, 3, 4, 4],
      );
      const locked = (await getUserById(db, u.id))!;
      assert.ok(isLocked(locked, now + 1000));
      assert.ok(!isLocked(locked, now + 16 * 60_000), 'the lock outlives its duration');
      const claims = await getUserClaims(db, locked);
      assert.equal(claims[ClaimUri.accountLocked], 'true');
      assert.ok(Number(claims[ClaimUri.unlockTime]) > now);
      assert.equal(await unlockUser(db, u.id), true);
      assert.equal(isLocked((await getUserById(db, u.id))!), false);
      await recordFailure(db, u.id, 'otp', { maxAttempts: 5, lockMinutes: 15 });
      await resetFailures(db, u.id, 'otp');
      assert.equal((await getUserById(db, u.id))!.failedOtpCount, 0);
    });

    test('password failures outside the window start a new count', async () => {
      const u = await createUser(db, hasher, { username: `w${randomBytes(3).toString('hex')}` });
      const t0 = Date.now();
      await recordFailure(db, u.id, 'password', { maxAttempts: 3, lockMinutes: 1, windowMinutes: 1 }, t0);
      await recordFailure(db, u.id, 'password', { maxAttempts: 3, lockMinutes: 1, windowMinutes: 1 }, t0 + 1000);
      const late = await recordFailure(
        db,
        u.id,
        'password',
        { maxAttempts: 3, lockMinutes: 1, windowMinutes: 1 },
        t0 + 120_000,
      );
      assert.equal(late.count, 1);
      assert.equal(late.locked, false);
    });

    test('the SQL state store: compare-and-set lets exactly one concurrent writer win; counters are atomic', async () => {
      await stateStoreContract(createSqlStateStore(db));
    });
  });
}

describe('state store in memory', () => {
  test('contract', async () => stateStoreContract(createMemoryStateStore()));
});

suiteNeeding(skipRedis, 'state store on Redis', () => {
  test('contract', async () => {
    const store = createRedisStateStore(process.env.REDIS_URL!, `stepgate-test-${randomBytes(4).toString('hex')}:`);
    try {
      await stateStoreContract(store);
    } finally {
      await store.close();
    }
  });
});

async function stateStoreContract(store: StateStore): Promise<void> {
  const key = `k-${randomBytes(6).toString('hex')}`;
  assert.equal(await store.create(key, { n: 1 }, 60_000), true);
  assert.equal(await store.create(key, { n: 2 }, 60_000), false);
  const v = await store.get<{ n: number }>(key);
  assert.deepEqual(v, { value: { n: 1 }, version: 1 });
  const wins = await Promise.all(Array.from({ length: 25 }, (_, i) => store.replace(key, 1, { n: 100 + i }, 60_000)));
  assert.equal(wins.filter(Boolean).length, 1);
  const after = await store.get<{ n: number }>(key);
  assert.equal(after?.version, 2);
  assert.equal(await store.replace(key, 1, { n: 0 }, 60_000), false);
  const counter = `c-${randomBytes(6).toString('hex')}`;
  const counts = await Promise.all(Array.from({ length: 30 }, () => store.increment(counter, 60_000)));
  assert.deepEqual(
    counts.sort((a, b) => a - b),
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  assert.equal(await store.count(counter), 30);
  await store.resetCounter(counter);
  assert.equal(await store.count(counter), 0);
  const short = `s-${randomBytes(6).toString('hex')}`;
  await store.create(short, { x: 1 }, 50);
  await store.increment(`${short}-c`, 50);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(await store.get(short), undefined, 'an expired record is still returned');
  assert.equal(await store.count(`${short}-c`), 0, 'an expired counter still counts');
  assert.equal(await store.create(short, { x: 2 }, 60_000), true, 'an expired record blocks a new one');
  assert.deepEqual(await store.get(short), { value: { x: 2 }, version: 1 });
  assert.equal(await store.create(short, { x: 3 }, 60_000), false, 'a live record was taken over');
  // leases: only the owner renews or releases; a later owner's lease survives an earlier owner's release
  const lease = `l-${randomBytes(6).toString('hex')}`;
  assert.equal(await store.create(lease, { owner: 'a' }, 80), true);
  assert.equal(await store.renewIf(lease, { owner: 'b' }, 60_000), false, 'a stranger renewed the lease');
  assert.equal(await store.renewIf(lease, { owner: 'a' }, 60_000), true, 'the owner could not renew');
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual((await store.get(lease))?.value, { owner: 'a' }, 'a renewed lease expired at its first ttl');
  await store.deleteIf(lease, { owner: 'b' });
  assert.deepEqual((await store.get(lease))?.value, { owner: 'a' }, 'a stranger released the lease');
  await store.deleteIf(lease, { owner: 'a' });
  assert.equal(await store.get(lease), undefined, 'the owner could not release the lease');
  assert.equal(await store.renewIf(lease, { owner: 'a' }, 60_000), false, 'a released lease was renewed');
  await store.delete(key);
  assert.equal(await store.get(key), undefined);
}
