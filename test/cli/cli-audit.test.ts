/**
 * The CLI's configuration writes are audited with actor `cli`, in the transaction of the write: the real `stepgate`
 * process imports and deletes truststore certificates and rotates keys on the database a running node (with the
 * admin API) serves, and the admin API's audit list shows each event — the imported certificates' SHA-256
 * fingerprints, the new key's id. A refused command (unreadable file, a taken or malformed alias, an unknown alias,
 * a bad --use) writes no event; an audit insert refused by the database (a trigger) leaves neither the change nor
 * the event. SQLite, and PostgreSQL when DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import { type Backend, forEachBackend } from '../support/backends.js';
import { withAuditRefused as refusingAudit } from '../support/refuse-audit.js';
import { useCliNode } from './cli-node.js';

const MASTER_KEY = Buffer.alloc(32, 4).toString('base64');

forEachBackend('CLI writes are audited', (backend: Backend) => {
  const node = useCliNode(backend, { masterKey: MASTER_KEY, dirPrefix: 'stepgate-cli-audit-' });
  const { dir, stepgate, audited } = node;
  const withAuditRefused = <T>(work: () => Promise<T>) => refusingAudit(node.server.services.db, backend.name, work);

  const aliases = async () => (await node.server.services.truststore.list()).map((c) => c.alias);

  test('truststore import: one event with actor cli and the fingerprint of each certificate', async () => {
    const one = makeSelfSignedCertificate('one.provider.test');
    const two = makeSelfSignedCertificate('two.provider.test');
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, `${one.certPem}\n${two.certPem}`);
    const r = await stepgate(['truststore', 'import', '--file', bundle, '--alias', 'partner']);
    assert.equal(r.code, 0, r.err);
    const events = await audited('cli.truststore.import');
    assert.equal(events.length, 1, JSON.stringify(events));
    const { data, userId, username } = events[0]!;
    assert.equal(data.actor, 'cli');
    assert.equal(userId, null);
    assert.equal(username, null);
    assert.deepEqual(data.aliases, ['partner', 'partner-2']);
    // fingerprints as the test computes them, not as the server reports them
    assert.deepEqual(data.fingerprints, [
      new X509Certificate(one.certPem).fingerprint256,
      new X509Certificate(two.certPem).fingerprint256,
    ]);
    assert.ok(!JSON.stringify(data).includes('BEGIN CERTIFICATE'), 'the certificate itself is in the event');
  });

  test('a refused import writes no event: unreadable file, missing file, taken alias, malformed alias', async () => {
    const cert = makeSelfSignedCertificate('refused.provider.test');
    const pem = join(dir, 'refused.pem');
    writeFileSync(pem, cert.certPem);
    const garbage = join(dir, 'garbage.txt');
    writeFileSync(garbage, 'not a certificate');
    const before = (await audited('cli.truststore.import')).length;
    const attempts: [string[], RegExp][] = [
      [['--file', garbage, '--alias', 'junk'], /garbage\.txt: /],
      [['--file', join(dir, 'absent.pem'), '--alias', 'absent'], /absent\.pem: no such file/],
      [['--file', pem, '--alias', 'partner'], /alias partner exists already/],
      [['--file', pem, '--alias', 'bad alias!'], /alias: must be/],
    ];
    for (const [args, message] of attempts) {
      const r = await stepgate(['truststore', 'import', ...args]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.out}`);
      assert.match(r.err, message);
    }
    assert.equal((await audited('cli.truststore.import')).length, before);
    assert.deepEqual(await aliases(), ['partner', 'partner-2']);
  });

  test('an import whose audit event the database refuses stores no certificate (one transaction)', async () => {
    const cert = makeSelfSignedCertificate('atomic.provider.test');
    const pem = join(dir, 'atomic.pem');
    writeFileSync(pem, cert.certPem);
    const r = await withAuditRefused(() => stepgate(['truststore', 'import', '--file', pem, '--alias', 'atomic']));
    assert.equal(r.code, 1, r.out);
    assert.ok(!(await aliases()).includes('atomic'), 'a certificate without its audit event');
    // the near miss: with the audit working the same import is stored and audited
    const again = await stepgate(['truststore', 'import', '--file', pem, '--alias', 'atomic']);
    assert.equal(again.code, 0, again.err);
    assert.ok((await aliases()).includes('atomic'));
    assert.equal((await audited('cli.truststore.import'))[0]!.data.aliases?.toString(), 'atomic');
  });

  test('truststore delete: audited with the alias; an unknown alias and a refused audit delete nothing', async () => {
    const missing = await stepgate(['truststore', 'delete', 'nobody']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /certificate "nobody" does not exist/);
    assert.equal((await audited('cli.truststore.delete')).length, 0);

    const refused = await withAuditRefused(() => stepgate(['truststore', 'delete', 'partner-2']));
    assert.equal(refused.code, 1, refused.out);
    assert.ok((await aliases()).includes('partner-2'), 'deleted without its audit event');

    const r = await stepgate(['truststore', 'delete', 'partner-2']);
    assert.equal(r.code, 0, r.err);
    const events = await audited('cli.truststore.delete');
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]!.data, { actor: 'cli', alias: 'partner-2' });
    assert.ok(!(await aliases()).includes('partner-2'));
  });

  test('keys rotate: the new key id audited for sig, cookie and saml; a bad --use and a refused audit rotate nothing', async () => {
    const keys = async () =>
      node.server.services.db.selectFrom('signing_keys').select(['kid', 'use', 'status']).orderBy('kid').execute();
    const start = await keys();

    const bad = await stepgate(['keys', 'rotate', '--use', 'signing']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--use takes sig, cookie or saml/);
    const refused = await withAuditRefused(() => stepgate(['keys', 'rotate']));
    assert.equal(refused.code, 1, refused.out);
    assert.deepEqual(await keys(), start, 'keys changed by a refused or rejected rotation');
    assert.equal((await audited('cli.keys.rotate')).length, 0);

    for (const use of ['sig', 'cookie', 'saml']) {
      const r = await stepgate(['keys', 'rotate', '--use', use]);
      assert.equal(r.code, 0, r.err);
      const [latest] = await audited('cli.keys.rotate');
      assert.equal(latest!.data.actor, 'cli');
      assert.equal(latest!.data.use, use);
      const active = (await keys()).filter((k) => k.use === use && k.status === 'active');
      assert.deepEqual(
        active.map((k) => k.kid),
        [latest!.data.kid],
        `${use}: the audited key is the one active key`,
      );
      assert.ok(r.out.includes(String(latest!.data.kid)), r.out);
    }
    assert.equal((await audited('cli.keys.rotate')).length, 3);
  });
});
