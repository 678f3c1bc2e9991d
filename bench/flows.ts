/** The logins the bench drives, as a browser without JavaScript and an openid-client relying party do them. */
import type * as oidc from 'openid-client';
import type { MockSms } from '../test/sms-otp/support/mock-sms.js';
import { Browser } from '../test/support/browser.js';
import type { RelyingParty } from '../test/support/rp.js';

export interface LoginTarget {
  password: string;
  redirect: string;
}

export async function passwordLogin(
  rp: RelyingParty,
  info: LoginTarget,
  username: string,
): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  const b = new Browser();
  const started = rp.begin();
  const page = await b.go(started.url);
  const done = await b.submit(Browser.form(page), { username, password: info.password }, (u) =>
    u.startsWith(info.redirect),
  );
  if (!done.url.startsWith(info.redirect)) throw new Error(`login did not finish (${done.status})`);
  return rp.finish(done.url, started);
}

export async function smsLogin(
  sms: MockSms,
  rp: RelyingParty,
  info: LoginTarget,
  account: { username: string; mobile: string },
): Promise<void> {
  const b = new Browser();
  const started = rp.begin();
  const page = await b.go(started.url);
  const since = Date.now() - 5;
  const otpPage = await b.submit(Browser.form(page), { username: account.username, password: info.password });
  // the provider imitation runs in this process: the code is read from what it received, not through the server
  const digits = account.mobile.replace(/\D/g, '');
  const fresh = sms.messages.findLast((m) => m.to.replace(/\D/g, '') === digits && m.at >= since - 1000);
  const code = fresh && /Verification Code: (\d+)/.exec(fresh.text)?.[1];
  if (!code) throw new Error(`no SMS for ${account.mobile} (page ${otpPage.status})`);
  const done = await b.submit(Browser.form(otpPage, 'sms-otp-verify'), { code }, (u) => u.startsWith(info.redirect));
  if (!done.url.startsWith(info.redirect)) throw new Error(`SMS login did not finish (${done.status})`);
  await rp.finish(done.url, started);
}
