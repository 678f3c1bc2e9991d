/**
 * The SAML signing key: created at first start, sealed in the database, rotated with `stepgate keys rotate --use
 * saml` (the command as a real process); after a restart the new key signs and the old certificate stays in the
 * metadata, so a service provider that trusts the metadata keeps working and one that pinned only the old
 * certificate is told the signature is invalid.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runStepgate } from '../cli/support.js';
import { sqliteBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { ONE_STEP, postedForm, type SamlFixture, startSaml } from './support/fixture.js';

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
let f: SamlFixture;
let database: { url: string; dataDir: string; masterKey: string; drop(): Promise<void> };

before(async () => {
  const made = await sqliteBackend.create();
  database = { ...made, masterKey: MASTER_KEY };
});
after(async () => {
  await f?.stop();
  await database.drop();
});

test('first start creates one sealed key; a rotation publishes both certificates and signs with the new one', async () => {
  f = await startSaml({ database });
  const [original] = await f.idpCertificates();
  const rows = await f.server.services.db.selectFrom('signing_keys').selectAll().where('use', '=', 'saml').execute();
  assert.equal(rows.length, 1);
  assert.ok(!rows[0]!.sealed.includes('PRIVATE KEY') && rows[0]!.sealed.startsWith('v1.'), 'the key is sealed');
  await f.addUser('rotate-user');
  const sp = await f.addServiceProvider('rotate', {}, { steps: ONE_STEP });
  await f.stop();

  const config = join(database.dataDir, 'stepgate.yaml');
  writeFileSync(config, `dataDir: ${database.dataDir}\ndatabaseUrl: ${database.url}\nmasterKey: ${MASTER_KEY}\n`);
  const rotated = await runStepgate(config, ['keys', 'rotate', '--use', 'saml']);
  assert.equal(rotated.code, 0, rotated.err);
  assert.match(rotated.out, /New SAML signing key s_\S+ is active/);
  const listed = await runStepgate(config, ['keys', 'list']);
  assert.match(listed.out, /saml\s+retired/);
  assert.match(listed.out, /saml\s+active/);

  // the restarted node listens on another loopback port: its public URL (the entity ID) moves with it
  f = await startSaml({ database, keep: true });
  const published = await f.idpCertificates();
  assert.equal(published.length, 2);
  assert.equal(published[1], original, 'the previous certificate stays, after the new one');
  assert.notEqual(published[0], original);

  const browser = new Browser();
  const here = { entryPoint: `${f.url}/saml2/sso`, idpIssuer: f.url };
  const trusting = sp.client({ ...here, idpCert: published });
  const form = postedForm(
    await f.passSteps(
      browser,
      await browser.go(await trusting.getAuthorizeUrlAsync('', undefined, {})),
      'rotate-user',
      1,
    ),
  );
  assert.ok((await trusting.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! })).profile);
  const pinned = sp.client({ ...here, idpCert: original!, validateInResponseTo: 'never' as never });
  await assert.rejects(pinned.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! }), /signature/i);
});
