/**
 * No one-factor path to two-factor power, through the admin API with real tokens: a token whose login passed the
 * password alone cannot change anyone's authenticators (mobile, Disable SMSOTP, backup codes, password; also not by
 * creating a user with them), a console token after password and SMS code can, automation clients can; changes to
 * another user are audited with the actor and announced to that user by SMS; and the original attack (mint your own
 * backup codes with the password alone, then pass Pickup Dispatch's SMS step) fails.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { setRoles } from '../../src/identity/users.js';
import { forEachBackend } from '../support/backends.js';
import { type GuardFixture, startGuardFixture } from './sign-in.js';
import { client, clientToken } from './support.js';

const ADA_MOBILE = '+94771234567';
const BOB_MOBILE = '+94772000002';
const BOB_NEW_MOBILE = '+94772000099';

forEachBackend('the two-factor guard of the admin API', (backend) => {
  let g: GuardFixture;
  let adaId: string;
  let bobId: string;
  let oneFactor: ReturnType<typeof client>;

  before(async () => {
    g = await startGuardFixture(backend);
    const s = g.f.server.services;
    const ada = await g.f.addUser('ada', { [ClaimUri.mobile]: ADA_MOBILE });
    await setRoles(s.db, ada.id, ['admin']);
    adaId = ada.id;
    bobId = (await g.f.addUser('bob', { [ClaimUri.mobile]: BOB_MOBILE })).id;
    oneFactor = client(g.f.server, await g.oneFactorToken('ada'));
  });
  after(() => g.f.stop());

  const bob = async () => (await client(g.f.server, await clientToken(g.f.server))('GET', `/users/${bobId}`)).body;

  test('a one-factor token gets 403 second-factor-required on every write that changes authenticators', async () => {
    const writes: [string, string, unknown][] = [
      ['PUT', `/users/${adaId}`, { claims: { [ClaimUri.smsOtpDisabled]: 'true' } }],
      ['PUT', `/users/${adaId}`, { claims: { [ClaimUri.mobile]: '+94779999999' } }],
      ['PUT', `/users/${adaId}`, { claims: { [ClaimUri.mobile]: '' } }],
      ['POST', `/users/${adaId}/backup-codes`, undefined],
      ['POST', `/users/${adaId}/password`, { password: 'another long password' }],
      ['PUT', `/users/${bobId}`, { claims: { [ClaimUri.smsOtpDisabled]: 'TRUE' } }],
      ['PUT', `/users/${bobId}`, { claims: { [ClaimUri.mobile]: BOB_NEW_MOBILE } }],
      ['POST', `/users/${bobId}/backup-codes`, undefined],
      ['POST', `/users/${bobId}/password`, { password: 'another long password' }],
      ['POST', '/users', { username: 'carol', claims: { [ClaimUri.mobile]: '+94773000003' } }],
      ['POST', '/users', { username: 'dave', password: 'a long enough password' }],
      ['POST', '/users', { username: 'erin', claims: { [ClaimUri.smsOtpDisabled]: 'true' } }],
    ];
    for (const [method, path, body] of writes) {
      const res = await oneFactor(method, path, body);
      const what = `${method} ${path} ${JSON.stringify(body)}`;
      assert.equal(res.status, 403, `${what}: ${res.text}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(res.body.code, 'second-factor-required', what);
      assert.equal(res.body.type, 'https://stepgate.dev/problems/second-factor-required');
      assert.equal(res.body.title, 'Second factor required');
      assert.match(res.body.detail, /two factors/, what);
      assert.match(res.body.detail, /urn:stepgate:acr:2fa/, what);
    }
    // nothing was written
    const after = await bob();
    assert.equal(after.claims[ClaimUri.mobile], BOB_MOBILE);
    assert.equal(after.claims[ClaimUri.smsOtpDisabled], undefined);
    assert.equal(after.backupCodesRemaining, 0);
    const list = await oneFactor('GET', '/users?limit=100');
    assert.deepEqual(list.body.items.map((u: { username: string }) => u.username).sort(), ['ada', 'bob']);
    assert.equal(g.smsTo(BOB_MOBILE).length, 0, 'a refused change sends no notice');
  });

  test('the detail says whose authenticator and which: your own, or the other user by name', async () => {
    const own = await oneFactor('POST', `/users/${adaId}/backup-codes`);
    assert.match(own.body.detail, /^Changing your backup codes/);
    const other = await oneFactor('PUT', `/users/${bobId}`, { claims: { [ClaimUri.mobile]: BOB_NEW_MOBILE } });
    assert.match(other.body.detail, /^Changing bob's mobile number/);
  });

  test('near misses: a one-factor token may change what is not an authenticator, or write one back unchanged', async () => {
    const name = await oneFactor('PUT', `/users/${bobId}`, { claims: { [ClaimUri.givenName]: 'Bob' } });
    assert.equal(name.status, 200, name.text);
    // the console's form saves every field: the same mobile and an unset Disable SMSOTP written as false
    const same = await oneFactor('PUT', `/users/${bobId}`, {
      claims: { [ClaimUri.mobile]: BOB_MOBILE, [ClaimUri.smsOtpDisabled]: 'false', [ClaimUri.lastName]: 'Builder' },
    });
    assert.equal(same.status, 200, same.text);
    const spaced = await oneFactor('PUT', `/users/${bobId}`, { claims: { [ClaimUri.mobile]: '+94 77 200 0002' } });
    assert.equal(spaced.status, 200, `the same number typed with spaces: ${spaced.text}`);
    const oneDigitOff = await oneFactor('PUT', `/users/${bobId}`, { claims: { [ClaimUri.mobile]: '+94 77 200 0003' } });
    assert.equal(oneDigitOff.status, 403, 'a number one digit off is a new number');
    const roles = await oneFactor('PUT', `/users/${bobId}`, { enabled: true });
    assert.equal(roles.status, 200, roles.text);
    const bare = await oneFactor('POST', '/users', { username: 'frank', claims: { [ClaimUri.givenName]: 'Frank' } });
    assert.equal(bare.status, 201, bare.text);
    assert.equal(g.smsTo(BOB_MOBILE).length, 0, 'no authenticator changed, so no notice');
  });

  test('a two-factor console token makes the change; another user is told by SMS and the audit names the actor', async () => {
    const twoFactor = client(g.f.server, await g.twoFactorToken('ada'));
    const codes = await twoFactor('POST', `/users/${bobId}/backup-codes`);
    assert.equal(codes.status, 200, codes.text);
    assert.equal(codes.body.codes.length, 10);
    assert.equal((await bob()).backupCodesRemaining, 10);
    const notices = g.smsTo(BOB_MOBILE);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!.text, /administrator changed how you sign in as bob: backup codes/);
    assert.doesNotMatch(notices[0]!.text, new RegExp(codes.body.codes[0]), 'the notice never carries a code');
    const events = await g.f.audit('admin.user.generate-backup-codes');
    assert.equal(events[0]!.actor, 'user:ada');
    assert.equal(events[0]!.targetUsername, 'bob');
    const sent = (await g.f.audit('admin.user.authenticators-notice'))[0]!;
    assert.equal(sent.outcome, 'sent');
    assert.equal(sent.actor, 'user:ada');
    assert.deepEqual(sent.changes, ['backup-codes']);
    assert.match(String(sent.to), /\*{4}/, 'the audit has the number masked');
    assert.ok(!String(sent.to).includes(BOB_MOBILE.slice(1)));

    // a new number: the notice goes to the old one, which the user still holds (the new one may be an attacker's)
    const moved = await twoFactor('PUT', `/users/${bobId}`, {
      claims: { [ClaimUri.mobile]: BOB_NEW_MOBILE, [ClaimUri.smsOtpDisabled]: 'true' },
    });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.claims[ClaimUri.mobile], BOB_NEW_MOBILE);
    const toOld = g.smsTo(BOB_MOBILE);
    assert.equal(toOld.length, 2);
    assert.match(toOld[1]!.text, /mobile number for SMS codes/);
    assert.match(toOld[1]!.text, /SMS one-time password switched on or off/);
    assert.equal(g.smsTo(BOB_NEW_MOBILE).length, 0);
    const update = (await g.f.audit('admin.user.update'))[0]!;
    assert.deepEqual([...(update.authenticators as string[])].sort(), ['mobile-number', 'sms-otp-disabled']);
    assert.equal(update.actor, 'user:ada');

    // one's own authenticators with two factors: allowed, and no notice to oneself
    const before = g.smsTo(ADA_MOBILE).length;
    const own = await twoFactor('POST', `/users/${adaId}/backup-codes`);
    assert.equal(own.status, 200, own.text);
    assert.equal(g.smsTo(ADA_MOBILE).length, before);
  });

  test('an automation client (client credentials) may change another user: audited with the client, announced', async () => {
    const automation = client(g.f.server, await clientToken(g.f.server, { name: 'provisioning' }));
    const before = g.smsTo(BOB_NEW_MOBILE).length;
    const res = await automation('POST', `/users/${bobId}/password`, { password: 'a fresh long password' });
    assert.equal(res.status, 204, res.text);
    assert.equal(g.smsTo(BOB_NEW_MOBILE).length, before + 1);
    assert.match(g.smsTo(BOB_NEW_MOBILE).at(-1)!.text, /: password\./);
    const notice = (await g.f.audit('admin.user.authenticators-notice'))[0]!;
    assert.match(String(notice.actor), /^client:/);
  });

  test('a notice that cannot be sent does not fail the change; it is audited as failed', async () => {
    const automation = client(g.f.server, await clientToken(g.f.server));
    g.f.sms.mode = { kind: 'status', status: 500 };
    try {
      const res = await automation('PUT', `/users/${bobId}`, { claims: { [ClaimUri.smsOtpDisabled]: 'false' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.claims[ClaimUri.smsOtpDisabled], 'false');
    } finally {
      g.f.sms.mode = { kind: 'ok' };
    }
    const notice = (await g.f.audit('admin.user.authenticators-notice'))[0]!;
    assert.equal(notice.outcome, 'failed');
    assert.ok(notice.reason, 'the failure has a reason');
  });

  test('a one-factor token cannot make or change an application with the admin scope (an automation client, the console)', async () => {
    const admin = { grantTypes: ['client_credentials'], extraScopes: ['stepgate:admin'] };
    const made = await oneFactor('POST', '/applications', { name: 'backdoor', ...admin });
    assert.equal(made.status, 403, made.text);
    assert.equal(made.body.code, 'second-factor-required');
    assert.match(made.body.detail, /^Creating an application with the admin scope needs a sign-in that passed two/);
    // near misses: an automation client without the admin scope, and a new secret for an ordinary application
    const plain = await oneFactor('POST', '/applications', { name: 'reporting', grantTypes: ['client_credentials'] });
    assert.equal(plain.status, 201, plain.text);
    assert.equal((await oneFactor('POST', `/applications/${plain.body.application.id}/secret`)).status, 200);
    const promoted = await oneFactor('PUT', `/applications/${plain.body.application.id}`, {
      extraScopes: ['stepgate:admin'],
    });
    assert.equal(promoted.status, 403, promoted.text);
    assert.equal(promoted.body.code, 'second-factor-required');
    // an existing automation client's secret
    const automation = await client(g.f.server, await clientToken(g.f.server))('POST', '/applications', {
      name: 'provisioner',
      ...admin,
    });
    assert.equal(automation.status, 201, automation.text);
    const secret = await oneFactor('POST', `/applications/${automation.body.application.id}/secret`);
    assert.equal(secret.status, 403, secret.text);
    assert.equal(secret.body.code, 'second-factor-required');
    // the console: new redirect URIs would send admins' two-factor codes elsewhere
    const consoleApp = (await g.f.server.services.applications.getByClientId('stepgate-console'))!;
    const redirected = await oneFactor('PUT', `/applications/${consoleApp.id}`, {
      redirectUris: ['https://attacker.example/callback'],
    });
    assert.equal(redirected.status, 403, redirected.text);
    assert.equal((await oneFactor('DELETE', `/applications/${consoleApp.id}`)).status, 403);
    // an application without the admin scope stays an ordinary one-factor task
    const pickup = (await g.f.server.services.applications.getByName('Pickup Dispatch'))!;
    const renamed = await oneFactor('PUT', `/applications/${pickup.id}`, { description: 'the sample' });
    assert.equal(renamed.status, 200, renamed.text);
    const names = (await oneFactor('GET', '/applications?limit=100')).body.items.map((a: { name: string }) => a.name);
    assert.ok(!names.includes('backdoor'));
    // with two factors it is an ordinary admin task
    const twoFactor = client(g.f.server, await g.twoFactorToken('ada'));
    assert.equal((await twoFactor('POST', '/applications', { name: 'provisioner-2', ...admin })).status, 201);
  });

  test('a one-factor token cannot add, change or delete an identity provider once one is live (codes sent elsewhere)', async () => {
    const s = g.f.server.services;
    const smsOtp = (await s.identityProviders.getByName('smsOTP'))!;
    const before = JSON.stringify(smsOtp.authenticators);
    const attempts: [string, string, unknown, RegExp][] = [
      [
        'PUT',
        `/identity-providers/${smsOtp.id}`,
        { description: 'redirected' },
        /^Changing the identity provider smsOTP/,
      ],
      ['DELETE', `/identity-providers/${smsOtp.id}`, undefined, /^Deleting the identity provider smsOTP/],
      ['POST', '/identity-providers', { name: 'relay' }, /^Adding an identity provider/],
    ];
    for (const [method, path, body, detail] of attempts) {
      const res = await oneFactor(method, path, body);
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.code, 'second-factor-required');
      assert.match(res.body.detail, detail);
    }
    const after = (await s.identityProviders.getByName('smsOTP'))!;
    assert.equal(JSON.stringify(after.authenticators), before, 'the refused change was written');
    assert.equal(after.description, smsOtp.description);
    assert.equal(await s.identityProviders.getByName('relay'), undefined);
    // reading stays open, and with two factors it is an ordinary admin task
    assert.equal((await oneFactor('GET', `/identity-providers/${smsOtp.id}`)).status, 200);
    const twoFactor = client(g.f.server, await g.twoFactorToken('ada'));
    const changed = await twoFactor('PUT', `/identity-providers/${smsOtp.id}`, { description: 'checked' });
    assert.equal(changed.status, 200, changed.text);
    assert.equal((await s.identityProviders.getByName('smsOTP'))!.description, 'checked');
  });

  test('the original attack fails: password alone mints no backup code, so Pickup Dispatch still wants the SMS', async () => {
    // the attacker knows ada's password only: a one-factor admin token, then an attempt to mint codes for ada
    const attempt = await oneFactor('POST', `/users/${adaId}/backup-codes`);
    assert.equal(attempt.status, 403);
    const disable = await oneFactor('PUT', `/users/${adaId}`, { claims: { [ClaimUri.smsOtpDisabled]: 'true' } });
    assert.equal(disable.status, 403);
    // Pickup Dispatch still asks ada for the code sent to her phone, and no guessed code gets through
    const login = await g.f.startLogin('ada');
    assert.match(login.page.html, /one-time-code/, 'the SMS step was not skipped');
    const wrong = await g.f.submitCode(login, '000000');
    assert.ok(!wrong.url.startsWith('http://127.0.0.1:1/callback'), 'a guessed code passed');

    // the same path with two factors is real: minted codes pass the SMS step with acr 2fa, so only the guard stops it
    const twoFactor = client(g.f.server, await g.twoFactorToken('ada'));
    const minted = await twoFactor('POST', `/users/${adaId}/backup-codes`);
    assert.equal(minted.status, 200, minted.text);
    const next = await g.f.startLogin('ada');
    const callback = await g.f.submitCode(next, minted.body.codes[0]);
    const claims = await g.f.finish(next, callback);
    assert.equal(claims.acr, 'urn:stepgate:acr:2fa');
  });
});
