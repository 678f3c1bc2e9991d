/**
 * Adding and removing authenticator apps through the admin API with real tokens: a one-factor admin token gets
 * 403 second-factor-required (nothing stored), a two-factor console token adds one (QR code and otpauth:// URI with
 * the issuer and the username; confirmed by a code of the test's own RFC 6238 implementation), lists it without its
 * secret, and removes it; another user is told by SMS; the confirming code cannot pass a login afterwards; the
 * stored secret is sealed. Wrong and malformed input are 4xx problems.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { setRoles } from '../../src/identity/users.js';
import { client } from '../admin-api/support.js';
import { forEachBackend } from '../support/backends.js';
import type { RelyingParty } from '../support/rp.js';
import { messageIdOf, PASSWORD_STEP, startTotp, TOTP_STEP, type TotpFixture } from './support/fixture.js';
import { oneDigitOff, secretOf, totp } from './support/rfc6238.js';

forEachBackend('TOTP through the admin API', (backend) => {
  let t: TotpFixture;
  let rp: RelyingParty;
  let bobId: string;
  let oneFactor: ReturnType<typeof client>;
  let twoFactor: ReturnType<typeof client>;
  const BOB_MOBILE = '+94772000002';

  before(async () => {
    t = await startTotp(backend);
    const g = t.g!;
    const s = t.f.server.services;
    const ada = await t.f.addUser('ada', { [ClaimUri.mobile]: '+94771234567' });
    await setRoles(s.db, ada.id, ['admin']);
    bobId = (await t.f.addUser('bob', { [ClaimUri.mobile]: BOB_MOBILE })).id;
    oneFactor = client(t.f.server, await g.oneFactorToken('ada'));
    twoFactor = client(t.f.server, await g.twoFactorToken('ada'));
    rp = await t.app('TOTP app', [PASSWORD_STEP, TOTP_STEP]);
  });
  after(() => t.stop());

  test('a one-factor token cannot add, confirm or remove an app (403 second-factor-required); it may list', async () => {
    const start = await oneFactor('POST', `/users/${bobId}/totp`, {});
    assert.equal(start.status, 403, start.text);
    assert.equal(start.body.code, 'second-factor-required');
    assert.match(start.body.detail, /^Changing bob's authenticator app/);
    const confirm = await oneFactor('POST', `/users/${bobId}/totp/te_x/confirm`, { code: '123456' });
    assert.equal(confirm.body.code, 'second-factor-required');
    const remove = await oneFactor('DELETE', `/users/${bobId}/totp/totp_x`);
    assert.equal(remove.body.code, 'second-factor-required');
    const list = await oneFactor('GET', `/users/${bobId}/totp`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items, []);
    assert.equal(t.g!.smsTo(BOB_MOBILE).length, 0);
  });

  test('a two-factor token adds an app: QR code and URI, confirmed by a code; bob is told; the code cannot be used again', async () => {
    const start = await twoFactor('POST', `/users/${bobId}/totp`, { label: 'Bob’s phone' });
    assert.equal(start.status, 201, start.text);
    const uri = new URL(start.body.otpauthUri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), `/${new URL(t.url).host}:bob`);
    assert.equal(uri.searchParams.get('issuer'), new URL(t.url).host);
    assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.match(start.body.qrSvg, /^<svg[\s\S]*<\/svg>\s*$/);
    assert.doesNotMatch(start.body.qrSvg, /<script/i);
    const secret = secretOf(start.body.otpauthUri);
    assert.equal(start.body.secret.replace(/ /g, ''), secret);

    const wrong = await twoFactor('POST', `/users/${bobId}/totp/${start.body.enrolmentId}/confirm`, {
      code: oneDigitOff(totp(secret)),
    });
    assert.equal(wrong.status, 400, wrong.text);
    assert.equal(wrong.body.errors[0].field, 'code');
    assert.deepEqual(
      (await twoFactor('GET', `/users/${bobId}/totp`)).body.items,
      [],
      'nothing stored before a good code',
    );

    const code = totp(secret);
    const confirmed = await twoFactor('POST', `/users/${bobId}/totp/${start.body.enrolmentId}/confirm`, { code });
    assert.equal(confirmed.status, 201, confirmed.text);
    assert.equal(confirmed.body.label, 'Bob’s phone');
    const list = await twoFactor('GET', `/users/${bobId}/totp`);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].id, confirmed.body.id);
    assert.ok(!JSON.stringify(list.body).includes(secret), 'the list never shows the secret');
    const again = await twoFactor('POST', `/users/${bobId}/totp/${start.body.enrolmentId}/confirm`, { code });
    assert.equal(again.status, 404, 'an enrolment is confirmed once');

    const row = await t.f.server.services.db.selectFrom('totp_credentials').selectAll().executeTakeFirstOrThrow();
    assert.match(row.secret_sealed, /^v1\./);
    assert.ok(!row.secret_sealed.includes(secret), 'the secret is sealed at rest');

    const notices = t.g!.smsTo(BOB_MOBILE);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!.text, /administrator changed how you sign in as bob: authenticator app/);
    const added = (await t.f.audit('admin.user.add-totp'))[0]!;
    assert.equal(added.actor, 'user:ada');
    assert.equal(added.targetUsername, 'bob');

    // the code that confirmed the app is used: a login with it is refused, the next code passes
    const login = await t.login(rp, 'bob');
    const replay = await t.submit(login, 'totp-verify', { code });
    assert.equal(messageIdOf(replay), 'totp.code-used');
    await t.submit(login, 'totp-verify', { code: totp(secret, { steps: 1 }) });
    assert.deepEqual((await t.finish(login)).amr, ['pwd', 'otp', 'mfa']);

    const removed = await twoFactor('DELETE', `/users/${bobId}/totp/${confirmed.body.id}`);
    assert.equal(removed.status, 204, removed.text);
    assert.deepEqual((await twoFactor('GET', `/users/${bobId}/totp`)).body.items, []);
    assert.equal(t.g!.smsTo(BOB_MOBILE).length, 2, 'the removal is announced too');
    assert.equal((await t.f.audit('admin.user.remove-totp')).length, 1);
  });

  test('bad input: unknown user, enrolment or app are 404; a long or empty code 400; too many wrong codes 429', async () => {
    assert.equal((await twoFactor('GET', '/users/nobody/totp')).status, 404);
    assert.equal((await twoFactor('POST', `/users/${bobId}/totp/te_unknown/confirm`, { code: '123456' })).status, 404);
    assert.equal((await twoFactor('DELETE', `/users/${bobId}/totp/totp_unknown`)).status, 404);
    const bare = await twoFactor('POST', `/users/${bobId}/totp`);
    assert.equal(bare.status, 400, 'no body: a problem naming the body');
    assert.equal(bare.body.errors[0].field, 'body');
    const start = await twoFactor('POST', `/users/${bobId}/totp`, {});
    assert.equal(start.status, 201, start.text);
    const path = `/users/${bobId}/totp/${start.body.enrolmentId}/confirm`;
    assert.equal((await twoFactor('POST', path, { code: '1'.repeat(17) })).status, 400);
    assert.equal((await twoFactor('POST', path, { code: '' })).status, 400);
    assert.equal((await twoFactor('POST', path, { code: 12 })).status, 400);
    assert.equal((await twoFactor('POST', `/users/${bobId}/totp`, { label: 'x'.repeat(101) })).status, 400);
    // another user's enrolment id is not this user's
    const adaId = (await twoFactor('GET', '/users?search=ada')).body.items[0].id;
    assert.equal(
      (await twoFactor('POST', `/users/${adaId}/totp/${start.body.enrolmentId}/confirm`, { code: '1' })).status,
      404,
    );
    const secret = secretOf(start.body.otpauthUri);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await twoFactor('POST', path, { code: oneDigitOff(totp(secret)) })).status);
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429]);
    assert.equal((await twoFactor('POST', path, { code: totp(secret) })).status, 404, 'the enrolment is gone');
  });
});
