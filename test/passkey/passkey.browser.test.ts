/**
 * Passkeys in real Chromium with a CDP virtual authenticator: a passkey added inside a login (password → passkey),
 * then used after the password and as the only step (two factors on its own: the key plus user verification), with
 * amr and acr read from the ID token; the near misses: an assertion replayed into another login, a sign counter that
 * went backwards, a revoked passkey, an authenticator that did not verify its user.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createChallenges } from '../../src/authenticators/passkey/challenges.js';
import { ACR } from '../../src/authn/acr.js';
import { setEnabled } from '../../src/identity/users.js';
import { client, clientToken } from '../admin-api/support.js';
import { launchChromium, skipChromium } from '../support/chromium.js';
import type { RelyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';
import {
  appWith,
  authenticatorPage,
  PASSKEY_STEP,
  PASSWORD_STEP,
  startPasskeyServer,
  submitPasskey,
  toPasskeyPage,
  userNamed,
  type VirtualCredential,
} from './support/fixture.js';

describe('passkeys in Chromium', { skip: skipChromium }, () => {
  let server: TestServer;
  let browser: Browser;
  let twoStep: RelyingParty;
  let alone: RelyingParty;
  let userId: string;
  /** the virtual authenticator's passkeys after enrolment, copied into each new context */
  let held: VirtualCredential[] = [];

  before(async () => {
    server = await startPasskeyServer();
    twoStep = await appWith(server, 'Password then passkey', [PASSWORD_STEP, PASSKEY_STEP]);
    alone = await appWith(server, 'Passkey only', [PASSKEY_STEP]);
    userId = (await userNamed(server, 'pk-user')).id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const stored = () =>
    server.services.db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).execute();

  /** the refusals so far, for the message of an assertion that expected a pass */
  const failures = async () =>
    (await server.services.db.selectFrom('audit_events').select('data').where('event', '=', 'passkey.failed').execute())
      .map((r) => r.data)
      .join('\n');

  async function claimsOf(rp: RelyingParty, started: ReturnType<RelyingParty['begin']>, location: string) {
    return (await rp.finish(location, started)).claims() as Record<string, unknown>;
  }

  test('a passkey added inside the login (after the password) passes the step: amr pwd hwk user, acr 2fa', async () => {
    const a = await authenticatorPage(browser);
    try {
      const problems: string[] = [];
      a.page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      const attempt = await toPasskeyPage(a.page, twoStep, 'pk-user');
      assert.equal(await a.page.getAttribute('#passkey-form', 'data-passkey'), 'create', 'the user has none: add one');
      const done = await submitPasskey(a.page);
      assert.ok(done.location, `reached the application: ${done.notice}\n${await failures()}`);
      held = await a.credentials();
      const claims = await claimsOf(twoStep, attempt.started, done.location);
      assert.deepEqual(claims.amr, ['pwd', 'hwk', 'user', 'mfa']);
      assert.equal(claims.acr, ACR.twoFactors);
      assert.equal(problems.filter((p) => /Content Security Policy|Refused/.test(p)).length, 0, problems.join('\n'));
      const rows = await stored();
      assert.equal(rows.length, 1, 'one passkey stored');
      assert.equal(rows[0]!.device_type, 'singleDevice');
      held = await a.credentials();
      assert.equal(held.length, 1);
    } finally {
      await a.close();
    }
  });

  test('the passkey after the password, in a new browser context: the get ceremony with allowCredentials', async () => {
    const a = await authenticatorPage(browser, { credentials: held });
    try {
      const attempt = await toPasskeyPage(a.page, twoStep, 'pk-user');
      assert.equal(await a.page.getAttribute('#passkey-form', 'data-passkey'), 'get');
      const options = JSON.parse((await a.page.getAttribute('#passkey-form', 'data-webauthn'))!);
      assert.equal(options.allowCredentials.length, 1, "the user's passkey is listed");
      assert.equal(options.userVerification, 'required');
      const done = await submitPasskey(a.page);
      assert.ok(done.location, `reached the application: ${done.notice}\n${await failures()}`);
      held = await a.credentials();
      const claims = await claimsOf(twoStep, attempt.started, done.location);
      assert.deepEqual(claims.amr, ['pwd', 'hwk', 'user', 'mfa']);
      assert.equal(claims.acr, ACR.twoFactors);
    } finally {
      await a.close();
    }
  });

  test('the passkey as the only step identifies the user (discoverable) and is two factors alone', async () => {
    const a = await authenticatorPage(browser, { credentials: held });
    try {
      const attempt = await toPasskeyPage(a.page, alone);
      const options = JSON.parse((await a.page.getAttribute('#passkey-form', 'data-webauthn'))!);
      assert.equal(options.allowCredentials, undefined, 'no user yet: any passkey of this site');
      const done = await submitPasskey(a.page);
      assert.ok(done.location, `reached the application: ${done.notice}\n${await failures()}`);
      held = await a.credentials();
      const claims = await claimsOf(alone, attempt.started, done.location);
      assert.equal(claims.sub, 'pk-user');
      assert.deepEqual(claims.amr, ['hwk', 'user', 'mfa']);
      assert.equal(claims.acr, ACR.twoFactors);
    } finally {
      await a.close();
    }
  });

  test('an assertion replayed into another login is refused (its challenge was that login’s)', async () => {
    let captured = '';
    const a = await authenticatorPage(browser, { credentials: held });
    try {
      await toPasskeyPage(a.page, alone);
      const first = await submitPasskey(a.page);
      captured = first.posted;
      assert.ok(first.location, `the original assertion passes\n${await failures()}`);
      held = await a.credentials();
    } finally {
      await a.close();
    }
    // another login, in another browser (no session): the captured answer is posted as the script would
    const b = await authenticatorPage(browser, { credentials: held });
    try {
      await toPasskeyPage(b.page, alone);
      // the page's own ceremony is replaced by the captured answer, posted as the script would
      await b.page.evaluate((posted) => {
        (document.getElementById('passkey-credential') as HTMLInputElement).value = posted;
        (document.getElementById('passkey-form') as HTMLFormElement).submit();
      }, captured);
      await b.page.waitForSelector('#notice');
      assert.match((await b.page.textContent('#notice')) ?? '', /could not be verified/);
      assert.equal(await b.page.getAttribute('#passkey-form', 'data-passkey'), 'get', 'a new challenge to try again');
      assert.match(await failures(), /Unexpected authentication response challenge/, 'refused for its challenge');
    } finally {
      await b.close();
    }
  });

  test('a challenge is taken once, by its own login only', async () => {
    const challenges = createChallenges(server.services.state);
    const c = await challenges.issue('login-a');
    assert.equal(await challenges.take('login-b', c), false, "another login's challenge");
    assert.equal(await challenges.take('login-a', c), true);
    assert.equal(await challenges.take('login-a', c), false, 'a second use');
    assert.equal(await challenges.take('login-a', 'never-issued'), false);
  });

  test('a sign counter that went backwards is refused; the counter it really has passes', async () => {
    const [row] = await stored();
    const real = Number(row!.sign_count);
    assert.ok(real > 0, 'the virtual authenticator keeps a counter');
    await server.services.passkeyCredentials.setSignCount(row!.id, real + 1000);
    const a = await authenticatorPage(browser, { credentials: held });
    try {
      await toPasskeyPage(a.page, alone);
      const refused = await submitPasskey(a.page);
      assert.equal(refused.location, undefined, 'a cloned authenticator does not sign in');
      assert.match(refused.notice ?? '', /could not be verified/);
      await server.services.passkeyCredentials.setSignCount(row!.id, real);
      const done = await submitPasskey(a.page);
      assert.ok(done.location, `the counter moved forward: ${done.notice}`);
      held = await a.credentials();
    } finally {
      await a.close();
    }
  });

  test('a user-verification-less assertion is refused when user verification is required', async () => {
    const a = await authenticatorPage(browser, { credentials: held, userVerified: false });
    try {
      await toPasskeyPage(a.page, twoStep, 'pk-user');
      // ask the authenticator not to verify, as a client that ignores the server's options would
      await a.page.evaluate(() => {
        const form = document.getElementById('passkey-form') as HTMLFormElement;
        const options = JSON.parse(form.dataset.webauthn!);
        form.dataset.webauthn = JSON.stringify({ ...options, userVerification: 'discouraged' });
      });
      const refused = await submitPasskey(a.page);
      assert.equal(refused.location, undefined);
      assert.ok(refused.posted.length > 0, `the authenticator answered, without UV: ${refused.error}`);
      assert.match(refused.notice ?? '', /could not be verified/);
      assert.match(await failures(), /User verification required/i, 'refused for the missing user verification');
    } finally {
      await a.close();
    }
  });

  test('a disabled account does not sign in with its passkey (the passkey names the user, the account says no)', async () => {
    await setEnabled(server.services.db, userId, false);
    const a = await authenticatorPage(browser, { credentials: held });
    try {
      await toPasskeyPage(a.page, alone);
      const refused = await submitPasskey(a.page);
      assert.equal(refused.location, undefined);
      assert.match(await a.page.content(), /Your account is not available/);
      held = await a.credentials();
    } finally {
      await a.close();
      await setEnabled(server.services.db, userId, true);
    }
  });

  test('a revoked passkey no longer signs in; the admin API lists and revokes (404 the second time)', async () => {
    const call = client(server, await clientToken(server, { name: 'pk-automation' }));
    const listed = await call('GET', `/users/${userId}/passkeys`);
    assert.equal(listed.status, 200);
    const items = (listed.body as { items: { id: string; deviceType: string; publicKey?: unknown }[] }).items;
    assert.equal(items.length, 1);
    assert.equal(items[0]!.publicKey, undefined, 'never the public key');
    const credId = items[0]!.id;
    assert.equal((await call('DELETE', `/users/${userId}/passkeys/${credId}`)).status, 204);
    assert.equal((await call('DELETE', `/users/${userId}/passkeys/${credId}`)).status, 404);
    assert.equal((await call('DELETE', `/users/${userId}/passkeys/not*an*id`)).status, 400);
    const a = await authenticatorPage(browser, { credentials: held });
    try {
      await toPasskeyPage(a.page, alone);
      const refused = await submitPasskey(a.page);
      assert.equal(refused.location, undefined, 'the revoked passkey is unknown');
      assert.match(refused.notice ?? '', /could not be verified/);
    } finally {
      await a.close();
    }
  });
});
