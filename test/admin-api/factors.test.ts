/**
 * A user's factors through the admin API, with real tokens from real logins, on SQLite and PostgreSQL/Redis: the
 * summary (mobile and Disable SMSOTP, apps, passkeys, unused backup codes, preferred option, lock); clearing the
 * backup codes behind the two-factor guard (audited, the user told by SMS); the preferred MFA option claim, checked on
 * save and honoured by the choose step ahead of the last choice; removing the user's app takes effect at the next
 * login; bad input answers 4xx problems.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { recordFailure } from '../../src/identity/lockout.js';
import { rememberOption } from '../../src/identity/preferred-options.js';
import { setRoles } from '../../src/identity/users.js';
import { forEachBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import type { RelyingParty } from '../support/rp.js';
import { CHOICE_STEP, PASSWORD_STEP, REDIRECT, startTotp, type TotpFixture } from '../totp/support/fixture.js';
import { totp } from '../totp/support/rfc6238.js';
import { client, clientToken } from './support.js';

const choices = (html: string) => [...html.matchAll(/name="choose" value="([^"]*)"/g)].map((m) => m[1]);

forEachBackend('user factors in the admin API', (backend) => {
  let t: TotpFixture;
  let rp: RelyingParty;
  let oneFactor: ReturnType<typeof client>;
  let twoFactor: ReturnType<typeof client>;
  let automation: ReturnType<typeof client>;
  let n = 0;

  before(async () => {
    t = await startTotp(backend);
    const s = t.f.server.services;
    const admin = await t.user('factors-admin');
    await setRoles(s.db, admin.user.id, ['admin']);
    oneFactor = client(t.f.server, await t.g!.oneFactorToken('factors-admin'));
    twoFactor = client(t.f.server, await t.g!.twoFactorToken('factors-admin'));
    automation = client(t.f.server, await clientToken(t.f.server));
    rp = await t.app('Factors choice app', [PASSWORD_STEP, CHOICE_STEP]);
  });
  after(() => t.stop());

  /** A user with a mobile number, an app, a passkey and three backup codes. */
  async function fullUser() {
    const s = t.f.server.services;
    const made = await t.user(`factors${++n}`, { totp: true });
    const passkeyId = randomBytes(16).toString('base64url');
    await s.passkeyCredentials.add(
      made.user.id,
      {
        id: passkeyId,
        publicKey: randomBytes(77),
        signCount: 0,
        transports: ['internal'],
        deviceType: 'multiDevice',
        backedUp: true,
        label: 'Phone',
      },
      Date.now(),
    );
    await s.backupCodes.replace(made.user.id, ['aaaa-bbbb-cccc', 'dddd-eeee-ffff', 'gggg-hhhh-jjjj']);
    return { ...made, passkeyId, username: `factors${n}` };
  }

  test('the summary names every factor and never a secret', async () => {
    const u = await fullUser();
    const s = t.f.server.services;
    await recordFailure(s.db, u.user.id, 'otp', { maxAttempts: 1, lockMinutes: 15 }, Date.now());
    await rememberOption(s.db, u.user.id, ':totp');
    const res = await oneFactor('GET', `/users/${u.user.id}/factors`);
    assert.equal(res.status, 200, res.text);
    const f = res.body;
    assert.equal(f.username, u.username);
    assert.match(f.mobile, /^\+9477\d{7}$/);
    assert.deepEqual(f.smsOtp, { disabled: false });
    assert.equal(f.totp.length, 1);
    assert.equal(f.totp[0].label, 'test app');
    assert.equal(f.totp[0].digits, 6);
    assert.equal(f.totp[0].periodSeconds, 30);
    assert.equal(typeof f.totp[0].createdAt, 'number');
    assert.equal(f.passkeys.length, 1);
    assert.deepEqual(
      { id: f.passkeys[0].id, label: f.passkeys[0].label, backedUp: f.passkeys[0].backedUp },
      { id: u.passkeyId, label: 'Phone', backedUp: true },
    );
    assert.equal(typeof f.passkeys[0].createdAt, 'number');
    assert.deepEqual(f.backupCodes, { remaining: 3 });
    assert.deepEqual(f.preferredOption, { option: null, lastChosen: ':totp' });
    assert.equal(f.locked, true);
    assert.ok(f.lockedUntil > Date.now());
    assert.doesNotMatch(res.text, new RegExp(u.secret!), 'no TOTP secret');
    assert.doesNotMatch(res.text, /publicKey|secret|hash|aaaa-bbbb/i);
  });

  test('unknown user 404, a malformed id 400: problems, never a 500', async () => {
    const missing = await twoFactor('GET', '/users/u_nobody/factors');
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(missing.body.type, 'https://stepgate.dev/problems/not-found');
    const long = await twoFactor('GET', `/users/${'x'.repeat(65)}/factors`);
    assert.equal(long.status, 400);
    assert.equal((await twoFactor('DELETE', '/users/u_nobody/backup-codes')).status, 404);
    assert.equal((await twoFactor('PUT', '/users/u_nobody/preferred-option', { option: '' })).status, 404);
  });

  test('clearing backup codes: a one-factor token is refused; two factors clear them, audited, the user told by SMS', async () => {
    const u = await fullUser();
    const refused = await oneFactor('DELETE', `/users/${u.user.id}/backup-codes`);
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.code, 'second-factor-required');
    assert.equal((await twoFactor('GET', `/users/${u.user.id}/factors`)).body.backupCodes.remaining, 3);

    const mobile = (await twoFactor('GET', `/users/${u.user.id}/factors`)).body.mobile as string;
    const before = t.g!.smsTo(mobile).length;
    const cleared = await twoFactor('DELETE', `/users/${u.user.id}/backup-codes`);
    assert.equal(cleared.status, 204, cleared.text);
    assert.equal((await twoFactor('GET', `/users/${u.user.id}/factors`)).body.backupCodes.remaining, 0);
    assert.equal(await t.f.server.services.backupCodes.consume(u.user.id, 'aaaa-bbbb-cccc'), false, 'the code is gone');
    const events = await t.f.audit('admin.user.clear-backup-codes');
    const mine = events.find((e) => e.targetUserId === u.user.id);
    assert.equal(mine?.unusedBefore, 3);
    assert.equal(mine?.username, 'factors-admin', 'the actor is recorded');
    const notices = t.g!.smsTo(mobile);
    assert.equal(notices.length, before + 1);
    assert.match(notices.at(-1)!.text, /backup codes/);
    // an automation client may too (its secret is the credential); clearing none is still a 204
    assert.equal((await automation('DELETE', `/users/${u.user.id}/backup-codes`)).status, 204);
  });

  test('the preferred option: checked on save, stored as the claim, audited; an empty string removes it', async () => {
    const u = await fullUser();
    const bad: [unknown, RegExp][] = [
      [{ option: 'totp' }, /idp:authenticator/],
      [{ option: ':nope' }, /not an authenticator/],
      [{ option: 'smsOTP:totp' }, /local authenticator/],
      [{ option: ':sms-otp' }, /identity provider/],
      [{ option: 'elsewhere:sms-otp' }, /no identity provider ..elsewhere/],
      [{ option: 'x'.repeat(301) }, /./],
      [{ option: 7 }, /./],
      [{ option: ':totp', extra: 1 }, /./],
      [{}, /./],
    ];
    for (const [body, message] of bad) {
      const res = await oneFactor('PUT', `/users/${u.user.id}/preferred-option`, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.body.code, 'validation-failed');
      assert.match(JSON.stringify(res.body.errors ?? res.body.detail), message, JSON.stringify(body));
    }
    const junk = await oneFactor('PUT', `/users/${u.user.id}/preferred-option`, '{"option":', {
      'content-type': 'application/json',
    });
    assert.equal(junk.status, 400);

    // choosing which of one's own factors comes first changes none of them: one factor may
    const set = await oneFactor('PUT', `/users/${u.user.id}/preferred-option`, { option: ':totp' });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, { option: ':totp', lastChosen: null });
    const profile = await oneFactor('GET', `/users/${u.user.id}`);
    assert.equal(profile.body.claims[ClaimUri.preferredMfaOption], ':totp');
    const event = (await t.f.audit('admin.user.set-preferred-option')).find((e) => e.targetUserId === u.user.id);
    assert.equal(event?.option, ':totp');

    const federated = await oneFactor('PUT', `/users/${u.user.id}/preferred-option`, { option: 'smsOTP:sms-otp' });
    assert.equal(federated.status, 200, federated.text);
    const removed = await oneFactor('PUT', `/users/${u.user.id}/preferred-option`, { option: '' });
    assert.deepEqual(removed.body, { option: null, lastChosen: null });
    assert.equal((await oneFactor('GET', `/users/${u.user.id}`)).body.claims[ClaimUri.preferredMfaOption], undefined);
  });

  test('the choose step starts with the preferred option, ahead of the last choice; none set: the choose page', async () => {
    const u = await fullUser();
    const sent = () => t.f.sms.messages.length;
    const plain = await t.login(rp, u.username);
    assert.deepEqual(choices(plain.page.html), ['smsOTP:sms-otp', ':totp'], 'no preference: the choose page');

    await oneFactor('PUT', `/users/${u.user.id}/preferred-option`, { option: ':totp' });
    const before = sent();
    const app = await t.login(rp, u.username);
    assert.match(app.page.html, /id="totp-verify"/, 'the preferred app starts the step');
    assert.match(app.page.html, /id="try-another-way"/, 'and the user can still switch');
    assert.equal(sent(), before, 'no SMS was sent');
    await t.submit(app, 'totp-verify', { code: totp(u.secret!) });
    assert.deepEqual((await t.finish(app)).amr, ['pwd', 'otp', 'mfa']);

    // the last choice was SMS OTP; the claim still wins
    await rememberOption(t.f.server.services.db, u.user.id, 'smsOTP:sms-otp');
    assert.match((await t.login(rp, u.username)).page.html, /id="totp-verify"/);

    // a preference this step cannot offer (no passkey option here) shows the choice
    await oneFactor('PUT', `/users/${u.user.id}/preferred-option`, { option: ':passkey' });
    assert.deepEqual(choices((await t.login(rp, u.username)).page.html), ['smsOTP:sms-otp', ':totp']);
    // without a preference the last choice starts the step again
    await oneFactor('PUT', `/users/${u.user.id}/preferred-option`, { option: '' });
    assert.match((await t.login(rp, u.username)).page.html, /id="sms-otp-verify"/);
  });

  test("removing the user's app takes effect: the next login no longer offers it, and the summary says so", async () => {
    const u = await fullUser();
    const before = await t.login(rp, u.username);
    assert.deepEqual(choices(before.page.html), ['smsOTP:sms-otp', ':totp']);
    const appId = (await twoFactor('GET', `/users/${u.user.id}/factors`)).body.totp[0].id as string;
    assert.equal((await oneFactor('DELETE', `/users/${u.user.id}/totp/${appId}`)).status, 403);
    assert.equal((await twoFactor('DELETE', `/users/${u.user.id}/totp/${appId}`)).status, 204);
    const after = await t.login(rp, u.username);
    assert.match(after.page.html, /id="sms-otp-verify"/, 'straight to SMS OTP');
    assert.deepEqual(choices(after.page.html), []);
    assert.doesNotMatch(after.page.html, /try-another-way/);
    // a forged choice of the app is not taken either
    const forged = await after.browser.submit(Browser.form(after.page), { choose: ':totp' }, (x) =>
      x.startsWith(REDIRECT),
    );
    assert.doesNotMatch(forged.html, /id="totp-(enrol|verify)"/);
    assert.deepEqual((await twoFactor('GET', `/users/${u.user.id}/factors`)).body.totp, []);
  });

  test('the OpenAPI document lists the new operations with their problems', async () => {
    const doc = (await automation('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    };
    assert.equal(doc.paths['/users/{id}/factors']?.get?.operationId, 'getUserFactors');
    assert.ok(doc.paths['/users/{id}/factors']?.get?.responses['404']);
    assert.equal(doc.paths['/users/{id}/backup-codes']?.delete?.operationId, 'clearBackupCodes');
    assert.equal(doc.paths['/users/{id}/preferred-option']?.put?.operationId, 'setPreferredOption');
  });
});
