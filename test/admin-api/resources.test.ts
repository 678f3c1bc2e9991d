/** CRUD round trips over real HTTP: applications, claims, users, truststore, audit — and that secrets stay secret. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { suiteNeeding, variants } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { selfSignedCertificate } from './saml-fixtures.js';
import { client, clientToken, startAdminServer } from './support.js';

const enc = encodeURIComponent;

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `admin API resources on ${backend.name}`, () => {
    let server: TestServer;
    let call: ReturnType<typeof client>;

    before(async () => {
      server = await startAdminServer(backend);
      call = client(server, await clientToken(server, { name: 'automation' }));
    });
    after(() => server.stop());

    test('applications: the secret is shown at creation and regeneration only; CRUD, search and sequence validation', async () => {
      const created = await call('POST', '/applications', {
        name: 'Pickup Dispatch',
        redirectUris: ['http://localhost:8080/callback'],
        subjectClaimUri: ClaimUri.mobile,
        requestedClaims: [ClaimUri.mobile],
      });
      assert.equal(created.status, 201, created.text);
      const secret = created.body.clientSecret as string;
      assert.ok(secret.length >= 32);
      const id = created.body.application.id as string;
      assert.equal(created.body.application.hasSecret, true);
      assert.equal(created.body.application.clientSecret, undefined);

      const read = await call('GET', `/applications/${id}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.subjectClaimUri, ClaimUri.mobile);
      assert.ok(!read.text.includes(secret), 'the client secret came back on a read');
      const listed = await call('GET', '/applications?search=pickup');
      assert.equal(listed.body.total, 1);
      assert.ok(!listed.text.includes(secret));

      const updated = await call('PUT', `/applications/${id}`, {
        description: 'the sample',
        steps: [{ options: [{ authenticator: 'password' }] }],
      });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.body.description, 'the sample');
      assert.equal(updated.body.name, 'Pickup Dispatch', 'fields left out keep their values');

      const badStep = await call('PUT', `/applications/${id}`, {
        steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'nope' }] }],
      });
      assert.equal(badStep.status, 400);
      assert.equal(badStep.body.code, 'validation-failed');
      assert.deepEqual(
        badStep.body.errors.map((e: { field: string }) => e.field),
        ['steps[1].options[0]'],
      );

      const regenerated = await call('POST', `/applications/${id}/secret`);
      assert.equal(regenerated.status, 200);
      assert.notEqual(regenerated.body.clientSecret, secret);

      const dup = await call('POST', '/applications', {
        name: 'Pickup Dispatch',
        redirectUris: ['http://localhost:8080/cb'],
      });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.code, 'conflict');

      assert.equal((await call('DELETE', `/applications/${id}`)).status, 204);
      assert.equal((await call('GET', `/applications/${id}`)).status, 404);
      assert.equal((await call('DELETE', `/applications/${id}`)).body.code, 'not-found');
    });

    test('validation errors name the field, including unknown and mistyped ones', async () => {
      const res = await call('POST', '/applications', { name: '', redirectUris: 'http://x', colour: 'red' });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'validation-failed');
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      assert.ok(fields.includes('name'), fields.join());
      assert.ok(fields.includes('redirectUris'), fields.join());
      assert.ok(fields.includes('colour'), fields.join());
      const domain = await call('POST', '/applications', { name: 'No redirect' });
      assert.equal(domain.status, 400);
      assert.equal(domain.body.errors[0].field, 'redirectUris');
      const page = await call('GET', '/users?limit=500');
      assert.equal(page.status, 400);
      assert.equal(page.body.errors[0].field, 'limit');
    });

    test('claims: add, read by encoded URI, update, mappings, and a claim in use cannot be deleted (409 names the use)', async () => {
      const uri = 'http://wso2.org/claims/otpbackupcodes';
      const added = await call('POST', '/claims', {
        uri,
        displayName: 'backupotp',
        description: 'Backup codes for SMS OTP',
        mappedAttribute: 'postalcode',
        supportedByDefault: true,
      });
      assert.equal(added.status, 201, added.text);
      assert.equal((await call('GET', `/claims/${enc(uri)}`)).body.mappedAttribute, 'postalcode');
      const updated = await call('PUT', `/claims/${enc(ClaimUri.smsOtpDisabled)}`, { supportedByDefault: true });
      assert.equal(updated.body.supportedByDefault, true);
      assert.equal(updated.body.displayName, 'Disable SMSOTP');
      assert.equal((await call('GET', '/claims?search=backupotp')).body.total, 1);

      const nick = 'http://wso2.org/claims/nickname';
      assert.equal(
        (await call('POST', '/claims', { uri: nick, displayName: 'Nickname', mappedAttribute: 'nickName' })).status,
        201,
      );
      const dialect = 'http://wso2.org/oidc/claim';
      const mapped = await call('PUT', `/claim-dialects/${enc(dialect)}/mappings/nickname`, { localClaimUri: nick });
      assert.equal(mapped.status, 200, mapped.text);
      const mappings = await call('GET', `/claim-dialects/${enc(dialect)}/mappings?limit=200`);
      assert.ok(mappings.body.items.some((m: { externalClaim: string }) => m.externalClaim === 'nickname'));
      const inUse = await call('DELETE', `/claims/${enc(nick)}`);
      assert.equal(inUse.status, 409);
      assert.match(inUse.body.detail, /mapped from nickname/);
      assert.equal((await call('DELETE', `/claim-dialects/${enc(dialect)}/mappings/nickname`)).status, 204);
      assert.equal((await call('DELETE', `/claims/${enc(nick)}`)).status, 204);

      const app = await call('POST', '/applications', {
        name: 'Uses nickname',
        redirectUris: ['http://localhost:1/cb'],
        requestedClaims: [uri],
      });
      assert.equal(app.status, 201, app.text);
      const used = await call('DELETE', `/claims/${enc(uri)}`);
      assert.equal(used.status, 409);
      assert.match(used.body.detail, /Uses nickname/);
      const builtIn = await call('DELETE', `/claims/${enc(ClaimUri.mobile)}`);
      assert.equal(builtIn.status, 409);
      const dialects = await call('GET', '/claim-dialects');
      assert.ok(dialects.body.items.some((d: { uri: string }) => d.uri === 'http://wso2.org/claims'));
    });

    test('users: create, claims, roles, pagination, search and mobile filter, unlock, password, backup codes once', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await call('POST', '/users', {
          username: `driver${i}`,
          password: 'correct horse battery',
          claims: { [ClaimUri.mobile]: `+9477123456${i}` },
        });
        assert.equal(res.status, 201, res.text);
      }
      const page = await call('GET', '/users?search=driver&offset=2&limit=2');
      assert.equal(page.body.total, 5);
      assert.deepEqual(
        page.body.items.map((u: { username: string }) => u.username),
        ['driver2', 'driver3'],
      );
      assert.equal(page.body.offset, 2);
      assert.equal(page.body.limit, 2);
      const byMobile = await call('GET', `/users?mobile=${enc('+94771234563')}`);
      assert.deepEqual(
        byMobile.body.items.map((u: { username: string }) => u.username),
        ['driver3'],
      );

      const id = byMobile.body.items[0].id as string;
      const changed = await call('PUT', `/users/${id}`, {
        claims: { [ClaimUri.smsOtpDisabled]: 'true', [ClaimUri.email]: 'd3@example.com' },
        roles: ['dispatcher'],
      });
      assert.equal(changed.status, 200, changed.text);
      assert.equal(changed.body.claims[ClaimUri.smsOtpDisabled], 'true');
      assert.deepEqual(changed.body.roles, ['dispatcher']);
      const badClaim = await call('PUT', `/users/${id}`, {
        claims: { [ClaimUri.email]: 'not-an-email', 'http://wso2.org/claims/nope': 'x' },
      });
      assert.equal(badClaim.status, 400);
      assert.deepEqual(
        badClaim.body.errors.map((e: { field: string }) => e.field).sort(),
        [ClaimUri.email, 'http://wso2.org/claims/nope'].sort(),
      );

      await server.services.db
        .updateTable('users')
        .set({ locked_until: Date.now() + 60_000, locked_reason: 'MAX_SMS_OTP_ATTEMPTS_EXCEEDED' })
        .where('id', '=', id)
        .execute();
      assert.equal((await call('GET', `/users/${id}`)).body.locked, true);
      const unlocked = await call('POST', `/users/${id}/unlock`);
      assert.equal(unlocked.status, 200);
      assert.equal(unlocked.body.locked, false);
      assert.equal(unlocked.body.lockedUntil, null);

      const weak = await call('POST', `/users/${id}/password`, { password: 'a' });
      assert.equal(weak.status, 400);
      assert.equal(weak.body.errors[0].field, 'password');
      assert.equal((await call('POST', `/users/${id}/password`, { password: 'another long passphrase' })).status, 204);

      const codes = await call('POST', `/users/${id}/backup-codes`);
      assert.equal(codes.status, 200);
      assert.equal(codes.body.codes.length, 10);
      assert.equal(new Set(codes.body.codes).size, 10);
      const after = await call('GET', `/users/${id}`);
      assert.equal(after.body.backupCodesRemaining, 10);
      for (const code of codes.body.codes as string[]) assert.ok(!after.text.includes(code), 'a backup code came back');
      assert.ok(await server.services.backupCodes.consume(id, codes.body.codes[3]));

      assert.equal((await call('POST', '/users', { username: 'driver1' })).status, 409);
      assert.equal((await call('DELETE', `/users/${id}`)).status, 204);
      assert.equal((await call('GET', `/users/${id}`)).status, 404);
    });

    test('truststore: import PEM and base64 DER, list without PEMs, refuse garbage, delete', async () => {
      const pem = selfSignedCertificate('rest.nexmo.com').certificate;
      const imported = await call('POST', '/truststore', { alias: 'Nexmo', certificate: pem });
      assert.equal(imported.status, 201, imported.text);
      assert.equal(imported.body.items[0].alias, 'Nexmo');
      assert.match(imported.body.items[0].subject, /CN=rest\.nexmo\.com/);
      const der = Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64').toString('base64');
      assert.equal((await call('POST', '/truststore', { alias: 'Nexmo-der', certificate: der })).status, 201);
      const list = await call('GET', '/truststore');
      assert.deepEqual(
        list.body.items.map((c: { alias: string }) => c.alias),
        ['Nexmo', 'Nexmo-der'],
      );
      assert.equal(list.body.items[0].pem, undefined);
      assert.ok(list.body.items[0].notAfter > Date.now());
      assert.equal((await call('POST', '/truststore', { alias: 'Nexmo', certificate: pem })).status, 409);
      const garbage = await call('POST', '/truststore', {
        alias: 'junk',
        certificate: Buffer.from('hello world').toString('base64'),
      });
      assert.equal(garbage.status, 400);
      assert.equal(garbage.body.errors[0].field, 'certificate');
      assert.equal((await call('DELETE', '/truststore/Nexmo')).status, 204);
      assert.equal((await call('DELETE', '/truststore/Nexmo')).status, 404);
    });

    test('every mutating call is audited with the actor; the log filters by event and time, newest first', async () => {
      const before = Date.now();
      const created = await call('POST', '/users', { username: 'audited' });
      assert.equal(created.status, 201);
      await call('PUT', `/users/${created.body.id}`, { enabled: false });
      const events = await call('GET', `/audit-events?from=${before}&limit=200`);
      const names = events.body.items.map((e: { event: string }) => e.event);
      assert.deepEqual(names.slice(0, 2).sort(), ['admin.user.create', 'admin.user.update']);
      const times = events.body.items.map((e: { at: number }) => e.at);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
        'newest first',
      );
      const create = events.body.items.find((e: { event: string }) => e.event === 'admin.user.create');
      assert.match(create.data.actor, /^client:/);
      assert.equal(create.data.targetUsername, 'audited');
      assert.ok(create.clientId);
      const filtered = await call(
        'GET',
        `/audit-events?event=admin.user.create&from=${enc(new Date(before).toISOString())}`,
      );
      assert.equal(filtered.body.total, 1);
      const none = await call('GET', `/audit-events?event=admin.user.create&to=${before - 1}&from=${before - 10}`);
      assert.equal(none.body.total, 0);
      const bad = await call('GET', '/audit-events?from=yesterday');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].field, 'from');
      const minted = await call('POST', `/users/${created.body.id}/backup-codes`);
      assert.equal(minted.status, 200);
      const bulk = await call('GET', '/audit-events?event=admin.user.generate-backup-codes');
      const mine = bulk.body.items.filter(
        (e: { data: Record<string, unknown> }) => e.data.targetUsername === 'audited',
      );
      assert.equal(mine.length, 1, 'generating backup codes was not audited');
      assert.ok(bulk.body.items.every((e: { data: Record<string, unknown> }) => !('codes' in e.data)));
      for (const code of minted.body.codes as string[])
        assert.ok(!bulk.text.includes(code), 'a backup code is in the log');
    });

    test('authenticators are listed with their configuration schema', async () => {
      const res = await call('GET', '/authenticators');
      const sms = res.body.items.find((a: { id: string }) => a.id === 'sms-otp');
      assert.equal(sms.kind, 'federated');
      assert.ok(sms.configSchema.properties.gateway);
      assert.equal(res.body.items.find((a: { id: string }) => a.id === 'password').kind, 'local');
    });
  });
}
