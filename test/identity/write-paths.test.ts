/**
 * The same user rules on the write paths outside the HTTP APIs: the setup file (`stepgate apply`) and the CLI's
 * `user add` (a real process) store numbers in E.164, refuse invalid ones naming the field, fold usernames, keep the
 * subject claim unique, and record the write with its audit event.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { claimValue, getUserByUsername } from '../../src/identity/users.js';
import { createServices } from '../../src/services.js';
import { applySetup, parseSetup, SetupError } from '../../src/setup/apply.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { startStepgate, type TestServer } from '../support/server.js';

const setupWith = (users: string) => `applications:
  - name: Dispatch
    redirectUris: [http://127.0.0.1:1/callback]
    subjectClaimUri: ${ClaimUri.mobile}
users:
${users}`;

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `setup file users on ${backend.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startStepgate({ backend });
    });
    after(() => server.stop());

    test('apply stores E.164 and a folded name, audits it, and refuses a bad number or a shared subject by line', async () => {
      const s = server.services;
      const file = setupWith(`  - username: Setup.Ada
    claims:
      ${ClaimUri.mobile}: "+94 77 765 4321"
`);
      await applySetup(s, parseSetup(file, 'setup.yaml', {}), 'setup.yaml');
      const ada = (await getUserByUsername(s.db, 'setup.ada'))!;
      assert.equal(ada.username, 'setup.ada');
      assert.equal(await claimValue(s.db, ada, ClaimUri.mobile), '+94777654321');
      const { events } = await s.audit.query({ event: 'setup.user.create' });
      assert.equal(events[0]?.userId, ada.id);

      const bad = setupWith(`  - username: setup.bob
    claims:
      ${ClaimUri.mobile}: "+94 77 765 432"
`);
      await assert.rejects(applySetup(s, parseSetup(bad, 'setup.yaml', {}), 'setup.yaml'), (e: unknown) => {
        assert.ok(e instanceof SetupError);
        assert.match(e.message, /setup\.yaml line 6 .*mobile.*valid phone number/);
        return true;
      });
      assert.equal(await getUserByUsername(s.db, 'setup.bob'), undefined, 'a refused user is not half made');
      const shared = setupWith(`  - username: setup.cy
    claims:
      ${ClaimUri.mobile}: "+94777654321"
`);
      await assert.rejects(applySetup(s, parseSetup(shared, 'setup.yaml', {}), 'setup.yaml'), /another user/);
      assert.equal(await getUserByUsername(s.db, 'setup.cy'), undefined);
    });
  });
}

describe('stepgate user add', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepgate-cli-users-'));
  const configFile = join(dir, 'stepgate.yaml');
  const masterKey = Buffer.alloc(32, 5).toString('base64');
  writeFileSync(configFile, `dataDir: ${join(dir, 'data')}\nmasterKey: ${masterKey}\n`);
  const stepgate = (args: string[]) => {
    const r = spawnSync(
      process.execPath,
      [join(import.meta.dirname, '..', '..', 'bin', 'stepgate.js'), '-c', configFile, ...args],
      { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 60_000 },
    );
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  };

  test('stores the number in E.164 and the name folded, audited; an invalid number is refused naming the field', async () => {
    const added = stepgate(['user', 'add', 'CLI.Ada', '--mobile', '+94 (77) 765-4321']);
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /Created user cli\.ada /);
    const refused = stepgate(['user', 'add', 'cli.bob', '--mobile', '0777']);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /mobile: Mobile must be a valid phone number/);
    const config = loadConfig({ env: {}, file: configFile });
    const s = await createServices(config);
    try {
      const ada = (await getUserByUsername(s.db, 'cli.ada'))!;
      assert.equal(await claimValue(s.db, ada, ClaimUri.mobile), '+94777654321');
      assert.equal((await s.audit.query({ event: 'cli.user.add' })).events[0]?.userId, ada.id);
      assert.equal(await getUserByUsername(s.db, 'cli.bob'), undefined);
    } finally {
      await s.close();
    }
  });
});
