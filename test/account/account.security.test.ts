/**
 * My Account's Security page over real HTTP, on SQLite, PostgreSQL and Redis state: signing in through its own
 * sequence (password, then the SMS code), the number change and its guards (a code to the new number, a wrong code,
 * the notice to the old number, the uniqueness of a subject claim), SMS codes off refused from a one-factor session
 * and without another factor, the last-factor rule, backup codes regenerated, an authenticator app added and used to
 * log in to an OIDC application (codes from an independent RFC 6238 implementation), re-authentication, CSRF, bad input.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNT_CLIENT_ID } from '../../src/account/account-app.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { getUserByUsername, getUserClaims } from '../../src/identity/users.js';
import { forEachBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import { oneDigitOff, secretOf, totp } from '../totp/support/rfc6238.js';
import { type AccountFixture, noticeOf, PASSWORD, PASSWORD_ONLY, post, startAccount } from './support/fixture.js';

const OTHER_MOBILE = '+94772000002';
const NEW_MOBILE = '+94773000003';
const REDIRECT = 'http://127.0.0.1:1/callback';

forEachBackend(
  'My Account security',
  (backend, variant) => {
    let f: AccountFixture;
    before(async () => {
      f = await startAccount({ backend, redis: variant.redis });
      // Pickup Dispatch's subject is the mobile number here, so a number belongs to one user only
      const app = (await f.server.services.applications.list()).find((a) => a.name === 'Pickup Dispatch')!;
      await f.server.services.applications.update(app.id, { subjectClaimUri: ClaimUri.mobile });
    });
    after(async () => f?.stop());
    // every user has a number of their own: the mobile number is a subject claim here
    let n = 10;
    const mobileOf = new Map<string, string>();
    const addUser = (name: string) => {
      const mobile = `+947710000${n++}`;
      mobileOf.set(name, mobile);
      return f.addUser(name, { [ClaimUri.mobile]: mobile });
    };

    const claims = async (username: string) => {
      const user = await getUserByUsername(f.server.services.db, username);
      return getUserClaims(f.server.services.db, user!);
    };

    test('the sign-in runs the My Account application’s own sequence: password, then the SMS code (acr 2fa)', async () => {
      await addUser('alice');
      const { browser, page } = await f.signIn('alice');
      assert.match(page.html, /id="session-strength">two factors/);
      const app = await f.server.services.applications.getByClientId(ACCOUNT_CLIENT_ID);
      assert.deepEqual(
        app!.steps.map((s) => s.options.map((o) => o.authenticator)),
        [['password'], ['sms-otp', 'totp', 'passkey']],
      );
      const { value } = await f.session(browser);
      assert.deepEqual(value.amr, ['pwd', 'sms', 'mfa']);
      const cookie = (await new Browser().go(`${f.server.url}/account/login`)).headers;
      assert.ok(cookie, 'a sign-in page answers');
      const success = await f.events('login.succeeded');
      assert.ok(success.some((e) => e.username === 'alice' && e.clientId === ACCOUNT_CLIENT_ID));
    });

    test('without a session every page sends the browser to the sign-in; a forged session cookie is no session', async () => {
      const b = new Browser();
      const page = await b.request(`${f.server.url}/account/sessions`);
      assert.equal(page.status, 303);
      assert.match(page.headers.get('location')!, /^\/account\/login\?return=%2Faccount%2Fsessions$/);
      const forged = await b.request(`${f.server.url}/account/`, { headers: { cookie: 'stepgate_account=abc.def' } });
      assert.equal(forged.status, 303);
      const post = await b.request(`${f.server.url}/account/totp`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: 'x' }),
      });
      assert.equal(post.status, 303, 'a POST without a session changes nothing');
    });

    test('a cancelled sign-in ends on a page saying so, with no session; a sign-in from another browser is not held', async () => {
      await addUser('nora');
      const b = new Browser();
      const first = await b.go(`${f.server.url}/account/`);
      const loginUrl = first.url;
      const stranger = await new Browser().request(loginUrl);
      assert.equal(stranger.status, 410, 'another browser does not hold this sign-in');
      const cancelled = await b.go(`${loginUrl}/abort`);
      assert.equal(cancelled.status, 403);
      assert.match(cancelled.html, /Sign-in did not complete/);
      assert.equal((await b.request(`${f.server.url}/account/`)).status, 303, 'no session');
    });

    test('the number change: a code to the NEW number, a wrong code refused, the notice to the OLD number, then saved', async () => {
      const user = await addUser('bob');
      const { browser, page } = await f.signIn('bob');
      const before = f.sms.messages.length;
      const started = await post(browser, page, '/account/mobile', { number: '+94 77 300 0003' });
      assert.equal(started.status, 303, started.html.slice(0, 400));
      const code = f.sms.lastCode();
      assert.equal(
        f.sms.messages.at(-1)!.to.replace(/^\+/, ''),
        NEW_MOBILE.slice(1),
        'the code went to the new number',
      );
      assert.equal(f.sms.messages.length, before + 1);
      const confirm = await browser.go(`${f.server.url}/account/mobile/confirm`);
      assert.match(confirm.html, /id="new-number"/);
      const wrong = await post(browser, confirm, '/account/mobile/confirm', { code: oneDigitOff(code) });
      assert.equal(wrong.status, 400);
      assert.equal(noticeOf(wrong), 'account.error.wrong-code');
      assert.equal((await claims('bob'))[ClaimUri.mobile], mobileOf.get('bob'), 'not saved before the right code');
      const ok = await post(browser, wrong, '/account/mobile/confirm', { code });
      assert.equal(ok.status, 303);
      assert.equal((await claims('bob'))[ClaimUri.mobile], NEW_MOBILE);
      const notice = f.sms.messages.at(-1)!;
      assert.equal(notice.to.replace(/^\+/, ''), mobileOf.get('bob')!.slice(1), 'the notice went to the old number');
      assert.match(notice.text, /mobile number/);
      const changed = (await f.events('account.mobile-changed')).find((e) => e.username === 'bob')!;
      assert.match(String(changed.to), /0003$/);
      assert.doesNotMatch(JSON.stringify(changed), /94773000003/, 'numbers are masked in the audit trail');
      // the code was used once: sending it again finds nothing pending
      const again = await post(
        browser,
        ok.status === 303 ? await browser.go(`${f.server.url}/account/`) : ok,
        '/account/mobile',
        { number: mobileOf.get('bob')! },
      );
      assert.equal(again.status, 303, 'a new change may start');
      assert.ok(user.id);
    });

    test('the number change: a number another user holds is refused before any code is sent (subject uniqueness)', async () => {
      await f.addUser('carol', { [ClaimUri.mobile]: OTHER_MOBILE });
      await addUser('dave');
      const { browser, page } = await f.signIn('dave');
      const sent = f.sms.messages.length;
      const clash = await post(browser, page, '/account/mobile', { number: OTHER_MOBILE });
      assert.equal(clash.status, 409);
      assert.equal(noticeOf(clash), 'account.error.number-taken');
      assert.equal(f.sms.messages.length, sent, 'no code sent to the other user’s number');
      const bad = await post(browser, page, '/account/mobile', { number: 'not a number' });
      assert.equal(bad.status, 400);
      assert.equal(noticeOf(bad), 'account.error.invalid-number');
      const huge = await post(browser, page, '/account/mobile', { number: '9'.repeat(20_000) });
      assert.equal(huge.status, 413, 'a huge body is refused');
      const confirmNothing = await post(browser, page, '/account/totp', {});
      assert.equal(confirmNothing.status, 303);
      const stray = await browser.request(`${f.server.url}/account/mobile/confirm`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: Browser.form(page, '/account/mobile').fields.csrf!, code: '123456' }),
      });
      assert.equal(stray.status, 410, 'no change pending');
    });

    test('the number change: the right code sent twice at once saves once; an expired change is gone', async () => {
      await addUser('kim');
      const { browser, page } = await f.signIn('kim');
      assert.equal((await post(browser, page, '/account/mobile', { number: '+94774000004' })).status, 303);
      const code = f.sms.lastCode();
      const confirm = await browser.go(`${f.server.url}/account/mobile/confirm`);
      const [a, b] = await Promise.all([
        post(browser, confirm, '/account/mobile/confirm', { code }),
        post(browser, confirm, '/account/mobile/confirm', { code }),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [303, 410], 'one submission wins, the other finds nothing pending');
      assert.equal((await f.events('account.mobile-changed')).filter((e) => e.username === 'kim').length, 1);
      assert.equal((await claims('kim'))[ClaimUri.mobile], '+94774000004');
      // a change left waiting past its ten minutes is refused however right its code
      const home = await browser.go(`${f.server.url}/account/`);
      assert.equal((await post(browser, home, '/account/mobile', { number: '+94774000005' })).status, 303);
      const late = f.sms.lastCode();
      const { key: sessionKey } = await f.session(browser);
      const pendingKey = sessionKey.replace('account:session:', 'account:mobile:');
      const held = (await f.server.services.state.get<{ startedAt: number }>(pendingKey))!;
      await f.server.services.state.replace(
        pendingKey,
        held.version,
        { ...held.value, startedAt: held.value.startedAt - 11 * 60_000 },
        60_000,
      );
      const expired = await post(
        browser,
        await browser.go(`${f.server.url}/account/mobile/confirm`),
        '/account/mobile/confirm',
        { code: late },
      );
      assert.equal(expired.status, 410);
      assert.equal(noticeOf(expired), 'account.error.no-pending');
      assert.equal((await claims('kim'))[ClaimUri.mobile], '+94774000004', 'unchanged');
    });

    test('the number change: five wrong codes end it; the right code after that saves nothing', async () => {
      await addUser('lee');
      const { browser, page } = await f.signIn('lee');
      await post(browser, page, '/account/mobile', { number: '+94774000006' });
      const code = f.sms.lastCode();
      let confirm = await browser.go(`${f.server.url}/account/mobile/confirm`);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await post(browser, confirm, '/account/mobile/confirm', { code: oneDigitOff(code) });
        statuses.push(r.status);
        if (r.status === 400) confirm = r;
      }
      assert.deepEqual(statuses, [400, 400, 400, 400, 429]);
      const after = await post(browser, confirm, '/account/mobile/confirm', { code });
      assert.equal(after.status, 410);
      assert.equal((await claims('lee'))[ClaimUri.mobile], mobileOf.get('lee'));
    });

    test('the number change: five codes an hour to new numbers; the sixth is refused (429) and sends nothing', async () => {
      await addUser('ned');
      const { browser } = await f.signIn('ned');
      const statuses: number[] = [];
      const sent = f.sms.messages.length;
      for (let i = 0; i < 6; i++) {
        const security = await browser.go(`${f.server.url}/account/`);
        statuses.push((await post(browser, security, '/account/mobile', { number: `+9477400010${i}` })).status);
      }
      assert.deepEqual(statuses, [303, 303, 303, 303, 303, 429]);
      assert.equal(f.sms.messages.length, sent + 5, 'no code for the sixth number');
      const refusals = await f.events('account.mobile-change-refused');
      assert.ok(refusals.some((e) => e.username === 'ned' && e.reason === 'too-many-sends'));
    });

    test('an authenticator app is renamed (a blank or foreign id refused, markup shown as text)', async () => {
      const user = await addUser('mia');
      const { browser, page } = await f.signIn('mia');
      await post(browser, page, '/account/totp');
      const enrol = await browser.go(`${f.server.url}/account/totp/new`);
      const secret = secretOf(/href="(otpauth:[^"]+)"/.exec(enrol.html)![1]!.replace(/&amp;/g, '&'));
      assert.equal((await post(browser, enrol, '/account/totp/new', { code: totp(secret) })).status, 303);
      const [app] = await f.server.services.totpCredentials.list(user.id);
      const home = await browser.go(`${f.server.url}/account/`);
      const renamed = await post(browser, home, `/account/totp/${app!.id}/rename`, { label: '<b>Work</b> phone' });
      assert.equal(renamed.status, 303);
      const shown = await browser.go(`${f.server.url}/account/`);
      assert.match(shown.html, /&lt;b&gt;Work&lt;\/b&gt; phone/, 'escaped');
      const blank = await post(browser, shown, `/account/totp/${app!.id}/rename`, { label: '   ' });
      assert.equal(blank.status, 400);
      assert.equal(noticeOf(blank), 'account.error.label');
      const csrf = Browser.form(shown, 'backup-form').fields.csrf!;
      const foreign = await browser.request(`${f.server.url}/account/totp/nope/rename`, {
        method: 'POST',
        body: new URLSearchParams({ csrf, label: 'x' }),
      });
      assert.equal(foreign.status, 404);
      const removeForeign = await browser.request(`${f.server.url}/account/passkeys/nope/remove`, {
        method: 'POST',
        body: new URLSearchParams({ csrf }),
      });
      assert.ok([403, 404].includes(removeForeign.status), `refused: ${removeForeign.status}`);
    });

    test('a form without its CSRF token, or with another session’s, is refused (403) and changes nothing', async () => {
      await addUser('erin');
      const { browser, page } = await f.signIn('erin');
      const other = await f.signIn('alice');
      const missing = await browser.request(`${f.server.url}/account/backup-codes`, {
        method: 'POST',
        body: new URLSearchParams({}),
      });
      assert.equal(missing.status, 403);
      assert.equal(noticeOf(missing), 'account.error.csrf');
      const foreign = await post(browser, page, '/account/backup-codes', {
        csrf: Browser.form(other.page, '/account/backup-codes').fields.csrf!,
      });
      assert.equal(foreign.status, 403);
      assert.equal(
        await f.server.services.backupCodes.remaining(
          (
            await f.user(
              (
                await f.events('login.succeeded')
              ).length
                ? (
                    await f.server.services.db
                      .selectFrom('users')
                      .select('id')
                      .where('username', '=', 'erin')
                      .executeTakeFirstOrThrow()
                  ).id
                : '',
            )
          ).id,
        ),
        0,
      );
      const twice = await browser.request(`${f.server.url}/account/backup-codes`, {
        method: 'POST',
        body: 'csrf=a&csrf=b',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(twice.status, 400, 'a field sent twice is malformed');
      const json = await browser.request(`${f.server.url}/account/backup-codes`, {
        method: 'POST',
        body: '{"csrf":"x"}',
        headers: { 'content-type': 'application/json' },
      });
      assert.ok(json.status >= 400 && json.status < 500, `JSON is not a form: ${json.status}`);
    });

    test('backup codes: new ones shown once, the old ones stop working, the count of unused ones shown', async () => {
      const user = await addUser('frank');
      await f.server.services.backupCodes.replace(user.id, ['AAAA-BBBB-CCCC'], Date.now());
      const { browser, page } = await f.signIn('frank');
      assert.match(page.html, /id="backup-count">1 unused backup code\./);
      const made = await post(browser, page, '/account/backup-codes');
      assert.equal(made.status, 303);
      const shown = await browser.go(`${f.server.url}${made.headers.get('location')}`);
      const codes = [...shown.html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
      assert.equal(codes.length, 10, `${shown.status} ${shown.url} ${shown.html.slice(800, 1800)}`);
      const again = await browser.request(`${f.server.url}/account/backup-codes`);
      assert.equal(again.status, 303, 'shown once: a reload shows them no more');
      assert.equal(
        await f.server.services.backupCodes.consume(user.id, 'AAAA-BBBB-CCCC'),
        false,
        'the old code is dead',
      );
      assert.equal(await f.server.services.backupCodes.consume(user.id, codes[0]!), true, 'a new one works');
      const home = await browser.go(`${f.server.url}/account/`);
      assert.match(home.html, /id="backup-count">9 unused backup codes\./);
      assert.equal(
        (await f.events('account.backup-codes-regenerated')).filter((e) => e.username === 'frank').length,
        1,
      );
      assert.ok((await f.events('account.notice')).some((e) => e.username === 'frank' && e.outcome === 'sent'));
    });

    test('an authenticator app added in My Account (QR + otpauth URI, one code) then logs in to an OIDC application', async () => {
      await addUser('gina');
      const { browser, page } = await f.signIn('gina');
      const started = await post(browser, page, '/account/totp');
      assert.equal(started.status, 303);
      const enrol = await browser.go(`${f.server.url}/account/totp/new`);
      assert.match(enrol.html, /<svg/, 'a QR code');
      const uri = /id="totp-uri"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*id="totp-uri"/.exec(enrol.html)!;
      const secret = secretOf((uri[1] ?? uri[2]!).replace(/&amp;/g, '&'));
      const wrong = await post(browser, enrol, '/account/totp/new', { code: oneDigitOff(totp(secret)) });
      assert.equal(wrong.status, 400);
      assert.equal(noticeOf(wrong), 'account.error.totp-wrong-code');
      const added = await post(browser, enrol, '/account/totp/new', { code: totp(secret), label: 'Phone' });
      assert.equal(added.status, 303, added.html.slice(0, 300));
      const home = await browser.go(`${f.server.url}/account/`);
      assert.match(home.html, /class="factor-name">Phone</);
      // an application whose second step is the app
      const created = await f.server.services.applications.create({
        name: 'Totp app',
        redirectUris: [REDIRECT],
        subjectClaimUri: ClaimUri.username,
        steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'totp' }] }],
      });
      const rp = await relyingParty(f.server.url, created.application.clientId, created.clientSecret, REDIRECT);
      const login = rp.begin();
      const b = new Browser();
      const first = await b.go(login.url);
      const codePage = await b.submit(Browser.form(first), { username: 'gina', password: PASSWORD });
      assert.match(codePage.html, /one-time-code/);
      const callback = await b.submit(Browser.form(codePage), { code: totp(secret, { steps: 1 }) }, (u) =>
        u.startsWith(REDIRECT),
      );
      assert.ok(callback.url.startsWith(REDIRECT), `reached the application: ${callback.html.slice(0, 300)}`);
      const tokens = await rp.finish(callback.url, login);
      assert.deepEqual(tokens.claims()!.amr, ['pwd', 'otp', 'mfa']);
      assert.equal((await f.events('account.totp-added')).filter((e) => e.username === 'gina').length, 1);
    });

    test('the last second factor of a user whose logins need two is never removed; with another one it is', async () => {
      const user = await f.addUser('hank', {});
      // hank has no mobile number: at sign-in he adds an app (the login's own enrolment); sign in with it
      const b = new Browser();
      const first = await b.go(`${f.server.url}/account/`);
      const choose = await b.submit(Browser.form(first), { username: 'hank', password: PASSWORD });
      const toApp = await b.submit(Browser.form(choose), { choose: ':totp' });
      const uri = /href="(otpauth:[^"]+)"/.exec(toApp.html);
      assert.ok(uri, `the app enrolment page: ${toApp.html.slice(0, 500)}`);
      const secret = secretOf(uri[1]!.replace(/&amp;/g, '&'));
      const home = await b.submit(Browser.form(toApp, 'totp-enrol'), { code: totp(secret) });
      assert.match(home.html, /<h1>Security<\/h1>/, home.html.slice(0, 400));
      const [app] = await f.server.services.totpCredentials.list(user.id);
      const refused = await post(b, home, `/account/totp/${app!.id}/remove`);
      assert.equal(refused.status, 403);
      assert.equal(noticeOf(refused), 'account.refused.last-factor');
      assert.equal((await f.server.services.totpCredentials.list(user.id)).length, 1, 'still there');
      // a second app, then the first one may go
      const start = await post(b, home, '/account/totp');
      assert.equal(start.status, 303, `${noticeOf(start)}`);
      const enrol = await b.go(`${f.server.url}/account/totp/new`);
      assert.match(enrol.html, /otpauth:/, `${enrol.status} ${enrol.html.slice(800, 1600)}`);
      const second = secretOf(/href="(otpauth:[^"]+)"/.exec(enrol.html)![1]!.replace(/&amp;/g, '&'));
      assert.equal((await post(b, enrol, '/account/totp/new', { code: totp(second) })).status, 303);
      const removed = await post(b, await b.go(`${f.server.url}/account/`), `/account/totp/${app!.id}/remove`);
      assert.equal(removed.status, 303);
      assert.equal((await f.server.services.totpCredentials.list(user.id)).length, 1);
      const refusals = await f.events('account.change-refused');
      assert.ok(refusals.some((e) => e.username === 'hank' && e.reason === 'last-factor'));
    });

    test('SMS codes off: refused from a one-factor session, refused without another factor, then allowed', async () => {
      await f.offerSmsOtpSwitch();
      await addUser('ivy');
      // a one-factor session: the operator put My Account on the password alone
      await f.accountSteps(PASSWORD_ONLY);
      const b = new Browser();
      const first = await b.go(`${f.server.url}/account/`);
      const one = await b.submit(Browser.form(first), { username: 'ivy', password: PASSWORD });
      assert.match(one.html, /id="session-strength">one factor/);
      const refused = await post(b, one, '/account/sms-otp', { enabled: 'off' });
      assert.equal(refused.status, 403);
      assert.equal(noticeOf(refused), 'account.refused.two-factor-session-needed');
      assert.equal((await claims('ivy'))[ClaimUri.smsOtpDisabled], undefined);
      const addApp = await post(b, one, '/account/totp');
      assert.equal(addApp.status, 403, 'one factor never buys another');
      await f.accountSteps([
        { options: [{ authenticator: 'password' }] },
        {
          options: [
            { authenticator: 'sms-otp', idp: 'smsOTP' },
            { authenticator: 'totp' },
            { authenticator: 'passkey' },
          ],
        },
      ]);
      const { browser, page } = await f.signIn('ivy');
      const alone = await post(browser, page, '/account/sms-otp', { enabled: 'off' });
      assert.equal(alone.status, 403);
      assert.equal(noticeOf(alone), 'account.refused.another-factor-needed');
      // with an app beside it, SMS codes may go off
      await post(browser, page, '/account/totp');
      const enrol = await browser.go(`${f.server.url}/account/totp/new`);
      const secret = secretOf(/href="(otpauth:[^"]+)"/.exec(enrol.html)![1]!.replace(/&amp;/g, '&'));
      await post(browser, enrol, '/account/totp/new', { code: totp(secret) });
      const off = await post(browser, await browser.go(`${f.server.url}/account/`), '/account/sms-otp', {
        enabled: 'off',
      });
      assert.equal(off.status, 303);
      assert.equal((await claims('ivy'))[ClaimUri.smsOtpDisabled], 'true');
      const junk = await post(browser, await browser.go(`${f.server.url}/account/`), '/account/sms-otp', {
        enabled: 'maybe',
      });
      assert.equal(junk.status, 400);
    });

    test('a change after the re-authentication window asks to sign in again; signing in again allows it', async () => {
      await addUser('jack');
      const { browser, page } = await f.signIn('jack');
      await f.age(browser, 30);
      const stale = await post(browser, page, '/account/backup-codes');
      assert.equal(stale.status, 403);
      assert.equal(noticeOf(stale), 'account.refused.reauth-needed');
      assert.match(stale.html, /href="\/account\/login\?return=%2Faccount%2F" id="reauth"/);
      const again = await browser.go(`${f.server.url}/account/login?return=/account/`);
      const code = await browser.submit(Browser.form(again), { username: 'jack', password: PASSWORD });
      const home = await browser.submit(Browser.form(code, 'sms-otp-verify'), { code: f.sms.lastCode() });
      assert.match(home.html, /<h1>Security<\/h1>/);
      assert.equal((await post(browser, home, '/account/backup-codes')).status, 303);
      const open = await browser.go(`${f.server.url}/account/login?return=https://evil.example/`);
      assert.match(open.url, /\/interaction\//, 'an outside return address is not followed (it becomes /account/)');
    });
  },
  { redis: true },
);
