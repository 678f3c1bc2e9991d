/**
 * The passkey pages as a browser without JavaScript sees them, over real HTTP: the page says passkeys need JavaScript
 * (its button is hidden until the script shows it); what it posts without a ceremony is the page again with a clear
 * message, never a 500; a step that offers a passkey beside an authenticator app offers the passkey only to a user who
 * has one, with "Try another way"; the admin API's list and revoke answer 4xx to bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuthenticationStep } from '../../src/identity/applications.js';
import { client, clientToken } from '../admin-api/support.js';
import { Browser } from '../support/browser.js';
import type { RelyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';
import {
  appWith,
  PASSKEY_STEP,
  PASSWORD,
  PASSWORD_STEP,
  REDIRECT,
  startPasskeyServer,
  storePasskey,
  userNamed,
} from './support/fixture.js';

const CHOICE: AuthenticationStep = { options: [{ authenticator: 'passkey' }, { authenticator: 'totp' }] };
const noticeOf = (html: string) => /id="notice"[^>]*>([^<]*)</.exec(html)?.[1];

describe('passkey pages without JavaScript', () => {
  let server: TestServer;
  let alone: RelyingParty;
  let choice: RelyingParty;

  before(async () => {
    server = await startPasskeyServer();
    alone = await appWith(server, 'Passkey only', [PASSKEY_STEP]);
    choice = await appWith(server, 'Password then a choice', [PASSWORD_STEP, CHOICE]);
  });
  after(() => server?.stop());

  async function withAppAndPasskey(username: string, passkey: boolean) {
    const user = await userNamed(server, username);
    await server.services.totpCredentials.add(
      user.id,
      { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', label: 'app', digits: 6, period: 30 },
      0,
      Date.now(),
    );
    if (passkey) await storePasskey(server.services, user.id);
    return user;
  }

  async function afterPassword(username: string) {
    const browser = new Browser();
    const first = await browser.go(choice.begin().url);
    const page = await browser.submit(Browser.form(first), { username, password: PASSWORD }, (u) =>
      u.startsWith(REDIRECT),
    );
    return { browser, page };
  }

  test('the page says passkeys need JavaScript; posting nothing, junk or a cancelled ceremony shows it again', async () => {
    const browser = new Browser();
    const page = await browser.go(alone.begin().url);
    assert.equal(page.status, 200);
    assert.match(page.html, /Passkeys need JavaScript/);
    assert.match(page.html, /<button type="button" id="passkey-start" hidden>/, 'no button without the script');
    assert.match(page.html, /<script src="\/assets\/passkey.js" defer><\/script>/);
    assert.doesNotMatch(page.html, /try-another-way/, 'the only option: nothing else to try');
    const options = JSON.parse(/data-webauthn="([^"]*)"/.exec(page.html)![1]!.replace(/&quot;/g, '"'));
    assert.equal(options.rpId, 'localhost', 'the RP ID is the host name of publicUrl');
    assert.equal(options.userVerification, 'required');

    const empty = await browser.submit(Browser.form(page, 'passkey-form'), {});
    assert.ok(empty.status >= 400 && empty.status < 500, `a 4xx page, got ${empty.status}`);
    assert.equal(noticeOf(empty.html), 'Use your passkey to continue.');
    const junk = await browser.submit(Browser.form(empty, 'passkey-form'), { credential: '{"id": 1' });
    assert.ok(junk.status >= 400 && junk.status < 500, `a 4xx page, got ${junk.status}`);
    assert.equal(noticeOf(junk.html), 'Use your passkey to continue.');
    const forged = await browser.submit(Browser.form(junk, 'passkey-form'), {
      credential: JSON.stringify({ id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {} }),
    });
    assert.ok(forged.status >= 400 && forged.status < 500, `a 4xx page, got ${forged.status}`);
    assert.match(noticeOf(forged.html) ?? '', /could not be verified/);
    const cancelled = await browser.submit(Browser.form(forged, 'passkey-form'), { error: 'NotAllowedError' });
    assert.ok(cancelled.status >= 400 && cancelled.status < 500, `a 4xx page, got ${cancelled.status}`);
    assert.match(noticeOf(cancelled.html) ?? '', /was not used/);
  });

  test('beside an app: a user without a passkey goes straight to the app; with one, a choice and Try another way', async () => {
    await withAppAndPasskey('pk-no-passkey', false);
    const without = await afterPassword('pk-no-passkey');
    assert.match(without.page.html, /id="totp-verify"/, 'only the app, which the user has');

    await withAppAndPasskey('pk-both', true);
    const both = await afterPassword('pk-both');
    assert.match(both.page.html, /value=":passkey"/);
    assert.match(both.page.html, /value=":totp"/);
    const passkeyPage = await both.browser.submit(Browser.form(both.page), { choose: ':passkey' });
    assert.match(passkeyPage.html, /id="passkey-form" data-passkey="get"/);
    assert.match(passkeyPage.html, /Passkeys need JavaScript/);
    assert.match(passkeyPage.html, /id="try-another-way"/, 'another way for a browser without JavaScript');
    const back = await both.browser.submit(Browser.form(passkeyPage, 'switch-option'), { another: '1' });
    assert.match(back.html, /value=":totp"/, 'the choose page again');
  });

  test('the admin API: unknown user 404, a malformed credential id 400, an unknown one 404; never the key', async () => {
    const call = client(server, await clientToken(server, { name: 'pk-pages-automation' }));
    assert.equal((await call('GET', '/users/usr_nobody/passkeys')).status, 404);
    const user = await withAppAndPasskey('pk-admin', true);
    const listed = await call('GET', `/users/${user.id}/passkeys`);
    assert.equal(listed.status, 200);
    const [item] = (listed.body as { items: Record<string, unknown>[] }).items;
    assert.deepEqual(Object.keys(item!).sort(), [
      'backedUp',
      'createdAt',
      'deviceType',
      'id',
      'label',
      'lastUsedAt',
      'transports',
    ]);
    assert.equal((await call('DELETE', `/users/${user.id}/passkeys/a.b`)).status, 400);
    assert.equal((await call('DELETE', `/users/${user.id}/passkeys/AAAA`)).status, 404);
    const audited = await server.services.db
      .selectFrom('audit_events')
      .select('event')
      .where('event', '=', 'admin.user.remove-passkey')
      .where('user_id', '=', user.id)
      .execute();
    assert.equal(audited.length, 0, 'nothing removed, nothing audited');
  });
});
