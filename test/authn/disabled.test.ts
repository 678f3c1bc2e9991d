/**
 * Switched-off things stay off. A disabled user gets the wrong-password page at the password step and never an SMS,
 * also when disabled in the middle of a login. An identity provider switched off fails its step closed (never a
 * silent skip to one factor), is left out of a choice, and cannot be named in a sequence that is saved.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setEnabled } from '../../src/identity/users.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import { messageIdOf, passwordStep, type SequenceFixture, startSequences, toCallback, WORD } from './support.js';

const alertOf = (p: Page) => /<div class="alert"[^>]*>([^<]*)</.exec(p.html)?.[1];

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `disabled users and identity providers on ${backend.name}`, () => {
    let f: SequenceFixture;
    before(async () => {
      f = await startSequences(backend);
    });
    after(() => f.stop());

    test('a disabled user with the right password gets the same page as a wrong password, and no SMS', async () => {
      const user = await f.addUser('switched-off');
      await f.addUser('still-on');
      await setEnabled(f.server.services.db, user.id, false);
      for (const app of ['Password only', 'Two steps'] as const) {
        const rp = await f.rp(app);
        const count = f.sms.messages.length;
        const disabled = await passwordStep(rp, new Browser(), 'switched-off');
        const wrong = await passwordStep(rp, new Browser(), 'still-on', 'not the password');
        assert.notEqual(disabled.page.status, 0, `${app}: a disabled user was logged in`);
        assert.equal(disabled.page.status, 401, app);
        assert.equal(disabled.page.status, wrong.page.status, app);
        assert.equal(alertOf(disabled.page), 'The username or password is incorrect.', app);
        assert.equal(alertOf(disabled.page), alertOf(wrong.page), app);
        assert.match(disabled.page.html, /name="password"/, `${app}: no password form to try again`);
        assert.equal(f.sms.messages.length, count, `${app}: an SMS was sent for a disabled user`);
      }
      const failed = (await f.audit('login.password.failed')).filter((e) => e.username === 'switched-off');
      assert.deepEqual(
        failed.map((e) => e.reason),
        ['disabled', 'disabled'],
      );
      // the near miss: enabled again, the same password passes
      await setEnabled(f.server.services.db, user.id, true);
      const rp = await f.rp('Password only');
      const b = new Browser();
      const ok = await passwordStep(rp, b, 'switched-off');
      assert.equal((await rp.finish(ok.page.url, ok.started)).claims()!.sub, 'switched-off');
    });

    test('a user disabled after the password step gets no SMS from a later step and no token from a code already sent', async () => {
      const user = await f.addUser('disabled-midway');
      const db = f.server.services.db;

      // on the choose page, before the SMS step has begun
      const choice = await f.rp('Choice');
      const b1 = new Browser();
      const { page: choose } = await passwordStep(choice, b1, 'disabled-midway');
      assert.match(choose.html, /Choose how to continue/);
      await setEnabled(db, user.id, false);
      const count = f.sms.messages.length;
      const refused = await b1.submit(Browser.form(choose), { choose: 'smsOTP:sms-otp' }, toCallback);
      assert.equal(refused.status, 403);
      assert.equal(messageIdOf(refused), 'login.user-gone');
      assert.equal(f.sms.messages.length, count, 'an SMS went to a user disabled during the login');
      await setEnabled(db, user.id, true);

      // on the code page, with the right code in hand
      const two = await f.rp('Two steps');
      const b2 = new Browser();
      const { page: codePage } = await passwordStep(two, b2, 'disabled-midway');
      const code = f.sms.lastCode();
      await setEnabled(db, user.id, false);
      const late = await b2.submit(Browser.form(codePage, 'sms-otp-verify'), { code }, toCallback);
      assert.notEqual(late.status, 0, 'a user disabled during the login got a code for the application');
      assert.equal(late.status, 403);
      assert.equal(messageIdOf(late), 'login.user-gone');
      await setEnabled(db, user.id, true);
    });

    test('the SMS OTP provider switched off: its step fails closed with a clear page, no SMS, an audit event; back on, it works', async () => {
      await f.addUser('idp-off');
      const rp = await f.rp('Two steps');
      for (const state of [{ idp: false }, { idp: true, entry: false }]) {
        await f.setSmsOtp(state);
        try {
          const count = f.sms.messages.length;
          const { page } = await passwordStep(rp, new Browser(), 'idp-off');
          assert.notEqual(page.status, 0, `${JSON.stringify(state)}: the SMS step was skipped into a token`);
          assert.equal(page.status, 403);
          assert.equal(messageIdOf(page), 'login.method-unavailable');
          assert.match(page.html, /sign-in method this application needs is switched off/);
          assert.equal(f.sms.messages.length, count);
        } finally {
          await f.setSmsOtp({ idp: true, entry: true });
        }
      }
      const events = (await f.audit('login.step-unavailable')).filter((e) => e.step === 1);
      assert.ok(events.length >= 2, `audit events: ${JSON.stringify(events)}`);
      assert.deepEqual(events[0]!.options, ['sms-otp (smsOTP)']);

      const b = new Browser();
      const back = await passwordStep(rp, b, 'idp-off');
      const done = await b.submit(Browser.form(back.page, 'sms-otp-verify'), { code: f.sms.lastCode() }, toCallback);
      assert.equal((await rp.finish(done.url, back.started)).claims()!.acr, 'urn:stepgate:acr:2fa');
    });

    test('switched off while the code page is open: the code no longer finishes the login', async () => {
      await f.addUser('idp-off-midway');
      const rp = await f.rp('Two steps');
      const b = new Browser();
      const { page } = await passwordStep(rp, b, 'idp-off-midway');
      const code = f.sms.lastCode();
      await f.setSmsOtp({ idp: false });
      try {
        const late = await b.submit(Browser.form(page, 'sms-otp-verify'), { code }, toCallback);
        assert.notEqual(late.status, 0, 'a switched-off identity provider still finished a login');
        assert.equal(late.status, 403);
        assert.equal(messageIdOf(late), 'login.method-unavailable');
      } finally {
        await f.setSmsOtp({ idp: true });
      }
    });

    test('a choice leaves out a switched-off provider: with one option left, that option runs without a choose page', async () => {
      await f.addUser('one-left');
      const rp = await f.rp('Choice');
      await f.setSmsOtp({ idp: false });
      try {
        const b = new Browser();
        const count = f.sms.messages.length;
        const { page, started } = await passwordStep(rp, b, 'one-left');
        assert.doesNotMatch(page.html, /Choose how to continue/);
        assert.match(page.html, /test-word-step/);
        const forged = await b.submit(Browser.form(page), { choose: 'smsOTP:sms-otp' });
        assert.equal(f.sms.messages.length, count, 'a forged choice ran the switched-off provider');
        assert.match(forged.html, /test-word-step/, 'a forged choice of a switched-off provider left the page');
        const done = await b.submit(Browser.form(forged), { password: WORD }, toCallback);
        const claims = (await rp.finish(done.url, started)).claims()!;
        assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);
      } finally {
        await f.setSmsOtp({ idp: true });
      }
    });

    test('saving a sequence that names a switched-off, a missing or an entry-less provider is refused with the field', async () => {
      const steps = (idp: string) => [
        { options: [{ authenticator: 'password' }] },
        { options: [{ authenticator: 'sms-otp', idp }] },
      ];
      const base = { redirectUris: ['http://127.0.0.1:1/callback'] };
      const fine = await f.api('POST', '/applications', { ...base, name: 'Saved while on', steps: steps('smsOTP') });
      assert.equal(fine.status, 201, fine.text);
      const id = fine.body.application.id as string;

      const cases: [string, { idp?: boolean; entry?: boolean } | undefined, string, RegExp][] = [
        ['switched off', { idp: false }, 'smsOTP', /identity provider "smsOTP" is disabled/],
        ['entry off', { idp: true, entry: false }, 'smsOTP', /has no enabled sms-otp authenticator/],
        ['missing', undefined, 'noSuchIdp', /identity provider "noSuchIdp" does not exist/],
      ];
      for (const [label, state, idp, message] of cases) {
        if (state) await f.setSmsOtp(state);
        try {
          const created = await f.api('POST', '/applications', {
            ...base,
            name: `Refused ${label}`,
            steps: steps(idp),
          });
          const updated = await f.api('PUT', `/applications/${id}`, { steps: steps(idp) });
          for (const [verb, res] of [
            ['POST', created],
            ['PUT', updated],
          ] as const) {
            assert.equal(res.status, 400, `${label} ${verb}: ${res.text}`);
            assert.equal(res.body.code, 'validation-failed');
            assert.equal(typeof res.body.title, 'string');
            assert.deepEqual(
              res.body.errors.map((e: { field: string }) => e.field),
              ['steps[1].options[0]'],
              `${label} ${verb}`,
            );
            assert.match(res.body.errors[0].message, message);
          }
        } finally {
          await f.setSmsOtp({ idp: true, entry: true });
        }
      }
      assert.equal((await f.api('GET', '/applications?search=Refused')).body.total, 0);
      // an application saved while the provider was on keeps its sequence when the provider is switched off later
      await f.setSmsOtp({ idp: false });
      try {
        const kept = await f.api('GET', `/applications/${id}`);
        assert.deepEqual(kept.body.steps, steps('smsOTP'));
      } finally {
        await f.setSmsOtp({ idp: true });
      }
    });

    test('a provider that a sequence names cannot be renamed away from it (409); an unused one can', async () => {
      const renamed = await f.api('PUT', `/identity-providers/${f.idpId}`, { name: 'smsOTP2' });
      assert.equal(renamed.status, 409, renamed.text);
      assert.equal(renamed.body.code, 'conflict');
      assert.match(renamed.body.detail, /application "Two steps"/);
      assert.equal((await f.server.services.identityProviders.getByName('smsOTP'))?.id, f.idpId);

      const spare = await f.api('POST', '/identity-providers', {
        name: 'spareOTP',
        authenticators: [{ type: 'sms-otp', enabled: false, config: {} }],
      });
      assert.equal(spare.status, 201, spare.text);
      const moved = await f.api('PUT', `/identity-providers/${spare.body.id}`, { name: 'spareOTP2' });
      assert.equal(moved.status, 200, moved.text);
      assert.equal(moved.body.name, 'spareOTP2');
    });
  });
}
