/**
 * My Account over real HTTP: a Stepgate with the `smsOTP` provider on a loopback mock SMS server (test/sms-otp's
 * fixture), the admin-free helpers to sign in to /account/ (password, then the SMS code read from the mock), and
 * readers for the session record and the audit trail.
 */
import assert from 'node:assert/strict';
import { ACCOUNT_CLIENT_ID } from '../../../src/account/account-app.js';
import type { AccountSession } from '../../../src/account/sessions.js';
import type { AuthenticationStep } from '../../../src/identity/applications.js';
import { ClaimUri } from '../../../src/identity/claim-uris.js';
import { PASSWORD, type SmsOtpFixture, startSmsOtp } from '../../sms-otp/support/fixture.js';
import type { Backend } from '../../support/backends.js';
import { Browser, type Page } from '../../support/browser.js';

export { PASSWORD };

export interface AccountFixture extends SmsOtpFixture {
  /** signs in to My Account with the password and the SMS code; returns the browser on the Security page */
  signIn(username: string, options?: { expectSms?: boolean }): Promise<{ browser: Browser; page: Page }>;
  /** the My Account session record this browser holds */
  session(browser: Browser): Promise<{ key: string; value: AccountSession; version: number }>;
  /** moves the session's sign-in back in time (outside the re-authentication window) */
  age(browser: Browser, minutes: number): Promise<void>;
  /** sets the My Account application's sequence (it exists after the first sign-in started) */
  accountSteps(steps: AuthenticationStep[]): Promise<void>;
  /** Disable SMSOTP offered to users (the guide's "Supported By Default") */
  offerSmsOtpSwitch(): Promise<void>;
  events(event: string): Promise<Record<string, unknown>[]>;
}

export const PASSWORD_ONLY: AuthenticationStep[] = [{ options: [{ authenticator: 'password' }] }];

export async function startAccount(
  options: { backend?: Backend; redis?: boolean; overrides?: Record<string, unknown>; publicHost?: string } = {},
): Promise<AccountFixture> {
  const base = await startSmsOtp({
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.redis ? { redis: true } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const s = base.server.services;
  const url = base.server.url;
  const sessionKey = async (browser: Browser) => {
    const page = await browser.request(`${url}/account/`);
    assert.equal(page.status, 200, 'signed in');
    // the cookie value is "<id>.<mac>" (URL-encoded)
    const jar = (browser as unknown as { jar: Map<string, Map<string, string>> }).jar;
    const raw = decodeURIComponent(jar.get(new URL(url).host)!.get('stepgate_account')!);
    return `account:session:${raw.slice(0, raw.lastIndexOf('.'))}`;
  };
  const fixture: AccountFixture = {
    ...base,
    async signIn(username, { expectSms = true } = {}) {
      const browser = new Browser();
      const first = await browser.go(`${url}/account/`);
      assert.match(
        first.html,
        /name="password"/,
        `expected the password page, got ${first.status}\n${first.html.slice(0, 400)}`,
      );
      let page = await browser.submit(Browser.form(first), { username, password: PASSWORD });
      if (expectSms) {
        assert.match(
          page.html,
          /one-time-code/,
          `expected the code page, got ${page.status}\n${page.html.slice(0, 600)}`,
        );
        page = await browser.submit(Browser.form(page, 'sms-otp-verify'), { code: base.sms.lastCode() });
      }
      assert.equal(page.status, 200, page.html.slice(0, 600));
      assert.match(page.html, /<h1>Security<\/h1>/, `expected the Security page\n${page.html.slice(0, 600)}`);
      return { browser, page };
    },
    async session(browser) {
      const key = await sessionKey(browser);
      const found = await s.state.get<AccountSession>(key);
      assert.ok(found, 'a session record');
      return { key, ...found };
    },
    async age(browser, minutes) {
      const { key, value, version } = await fixture.session(browser);
      const aged = { ...value, authTime: value.authTime - minutes * 60_000 };
      assert.ok(await s.state.replace(key, version, aged, 3_600_000));
    },
    async accountSteps(steps) {
      const app = await s.applications.getByClientId(ACCOUNT_CLIENT_ID);
      assert.ok(app, 'the My Account application exists');
      await s.applications.update(app.id, { steps });
    },
    async offerSmsOtpSwitch() {
      await s.db
        .updateTable('local_claims')
        .set({ supported_by_default: 1 })
        .where('uri', '=', ClaimUri.smsOtpDisabled)
        .execute();
    },
    async events(event) {
      const { events } = await s.audit.query({ event, limit: 500 });
      return events.map((e) => ({ ...e.data, username: e.username, clientId: e.clientId }));
    },
  };
  return fixture;
}

/** The id of the page's notice (data-message-id), or undefined. */
export function noticeOf(page: Page): string | undefined {
  return /id="(?:notice|done)"[^>]*data-message-id="([^"]+)"/.exec(page.html)?.[1];
}

/** Submits the form of `page` whose action is exactly the path `action`, without following the redirect. */
export async function post(browser: Browser, page: Page, action: string, values: Record<string, string> = {}) {
  const block = [...page.html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].find(
    (m) => /action="([^"]*)"/.exec(m[0])?.[1]?.replace(/&#x2F;/g, '/') === action,
  );
  assert.ok(block, `no form for ${action} on ${page.url}`);
  const form = Browser.form({ ...page, html: block[0] });
  return browser.request(form.action, { method: 'POST', body: new URLSearchParams({ ...form.fields, ...values }) });
}
