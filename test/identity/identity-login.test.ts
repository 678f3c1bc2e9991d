/**
 * The user identity at login, through the login pages with openid-client as the relying party: a name typed in
 * another case finds the user, `sub` is the E.164 subject however the number was written, a user without a subject
 * value gets a clear page and an audit event (never the internal id as sub), and a stored number that cannot receive
 * SMS leads to the capture page when capture is on.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { claimValue, createUser, setUserClaims } from '../../src/identity/users.js';
import { messageIdOf, type SmsOtpFixture, startSmsOtp } from '../sms-otp/support/fixture.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import { startStepgate, type TestServer } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:1/callback';
const PASSWORD = 'correct horse battery';

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `identity at login on ${backend.name}`, () => {
    let server: TestServer;
    let clientId: string;
    let clientSecret: string;

    before(async () => {
      server = await startStepgate({ backend });
      const s = server.services;
      const created = await s.applications.create({
        name: 'Dispatch',
        redirectUris: [REDIRECT],
        subjectClaimUri: ClaimUri.mobile,
        requestedClaims: [ClaimUri.mobile],
        steps: [{ options: [{ authenticator: 'password' }] }],
      });
      clientId = created.application.clientId;
      clientSecret = created.clientSecret!;
      await createUser(s.db, s.hasher, {
        username: 'Ada',
        password: PASSWORD,
        claims: { [ClaimUri.mobile]: '+94 77 765 4321' },
      });
      await createUser(s.db, s.hasher, { username: 'nomobile', password: PASSWORD });
    });
    after(() => server.stop());

    async function login(username: string) {
      const rp = await relyingParty(server.url, clientId, clientSecret, REDIRECT);
      const started = rp.begin({ scope: 'openid phone offline_access', prompt: 'consent' });
      const browser = new Browser();
      const first = await browser.go(started.url);
      const page = await browser.submit(Browser.form(first), { username, password: PASSWORD }, (u) =>
        u.startsWith(REDIRECT),
      );
      return { rp, started, page };
    }

    test('a name typed in another case or width finds the user, and sub is the number in E.164', async () => {
      for (const typed of ['ADA', 'ada', 'Ａｄａ']) {
        const { rp, started, page } = await login(typed);
        assert.ok(page.url.startsWith(REDIRECT), `${typed}: ${page.status} ${page.html.slice(0, 300)}`);
        const claims = (await rp.finish(page.url, started)).claims()!;
        assert.equal(claims.sub, '+94777654321');
      }
      // a near miss: a look-alike with a Cyrillic а is no spelling of Ada
      const { page } = await login('Аda');
      assert.equal(page.status, 401, page.html.slice(0, 300));
    });

    test('a user without a subject value gets a page that says so and an audit event, never a token', async () => {
      const { page } = await login('nomobile');
      assert.equal(page.status, 403);
      assert.equal(page.url.startsWith(REDIRECT), false);
      assert.equal(messageIdOf(page), 'login.no-subject');
      assert.match(page.html, /identifier this application knows you by/);
      const { events } = await server.services.audit.query({ event: 'login.no-subject' });
      assert.equal(events[0]?.username, 'nomobile');
      assert.equal(events[0]?.data.subjectClaim, ClaimUri.mobile);
    });

    test('a refresh after the subject value was removed is refused, not answered with the internal id', async () => {
      const s = server.services;
      const user = await createUser(s.db, s.hasher, {
        username: 'leaver',
        password: PASSWORD,
        claims: { [ClaimUri.mobile]: '+94 71 234 5678' },
      });
      const { rp, started, page } = await login('leaver');
      const tokens = await rp.finish(page.url, started);
      assert.equal(tokens.claims()!.sub, '+94712345678');
      assert.ok(tokens.refresh_token, 'no refresh token to test with');
      await setUserClaims(s.db, user.id, { [ClaimUri.mobile]: '' }, { asAdmin: true });
      await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!), (e: { error?: string }) => {
        assert.equal(e.error, 'access_denied');
        return true;
      });
    });
  });

  suiteNeeding(skip, `an unusable stored number leads to capture on ${backend.name}`, () => {
    let f: SmsOtpFixture;
    before(async () => {
      f = await startSmsOtp({ backend });
    });
    after(() => f.stop());

    test('a stored number that cannot receive SMS offers the capture page, and the verified number replaces it', async () => {
      const user = await f.addUser('legacy', {});
      // a number stored before numbers were normalised, that the migration could not turn into E.164
      await f.server.services.db
        .insertInto('user_attributes')
        .values({ user_id: user.id, name: 'mobile', value: '12' })
        .execute();
      const login = await f.startLogin('legacy');
      assert.equal(login.page.status, 200);
      assert.match(login.page.html, /name="mobile" type="tel"/);
      const code = await login.browser.submit(Browser.form(login.page, 'sms-otp-capture'), {
        mobile: '+94 77 111 2233',
      });
      login.page = code;
      await f.finish(login, await f.submitCode(login, f.sms.lastCode()));
      assert.equal(await claimValue(f.server.services.db, await f.user(user.id), ClaimUri.mobile), '+94771112233');
    });

    test('with capture off, the same user gets the page that says the number cannot receive a code', async () => {
      await f.configure({ captureMobile: false });
      const user = await f.addUser('legacy2', {});
      await f.server.services.db
        .insertInto('user_attributes')
        .values({ user_id: user.id, name: 'mobile', value: '12' })
        .execute();
      const login = await f.startLogin('legacy2');
      assert.equal(messageIdOf(login.page), 'sms-otp.bad-mobile');
    });
  });
}
