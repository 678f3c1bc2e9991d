/**
 * The installation's passkey settings at login, in real Chromium with a CDP virtual authenticator: saved through the
 * admin API, attestation `direct` and a relying party name reach the browser's create() call and the packed
 * attestation statement the authenticator then returns is verified and accepted; user verification `preferred`
 * reaches get(); switched back, the defaults apply again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ACR } from '../../src/authn/acr.js';
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

const DEFAULTS = { userVerification: 'required', attestation: 'none', residentKey: 'preferred', rpName: '' };

describe('passkey settings at login, in Chromium', { skip: skipChromium }, () => {
  let server: TestServer;
  let browser: Browser;
  let twoStep: RelyingParty;
  let admin: ReturnType<typeof client>;
  let held: VirtualCredential[] = [];

  before(async () => {
    server = await startPasskeyServer();
    twoStep = await appWith(server, 'Password then passkey', [PASSWORD_STEP, PASSKEY_STEP]);
    await userNamed(server, 'settings-user');
    admin = client(server, await clientToken(server));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const save = async (settings: Partial<typeof DEFAULTS>) => {
    const res = await admin('PUT', '/authenticators/passkey', { settings: { ...DEFAULTS, ...settings } });
    assert.equal(res.status, 200, res.text);
  };
  const optionsOf = async (page: import('playwright-core').Page) =>
    JSON.parse((await page.getAttribute('#passkey-form', 'data-webauthn'))!) as Record<string, unknown> & {
      rp: { name: string };
      attestation: string;
      authenticatorSelection: Record<string, string>;
    };
  const claimsOf = async (started: ReturnType<RelyingParty['begin']>, location: string) =>
    (await twoStep.finish(location, started)).claims() as Record<string, unknown>;

  test('attestation direct and the RP name: the browser is asked for them, the attestation it returns passes', async () => {
    await save({ attestation: 'direct', rpName: 'Pickup Dispatch sign-in', residentKey: 'required' });
    const a = await authenticatorPage(browser);
    try {
      const attempt = await toPasskeyPage(a.page, twoStep, 'settings-user');
      assert.equal(await a.page.getAttribute('#passkey-form', 'data-passkey'), 'create');
      const options = await optionsOf(a.page);
      assert.equal(options.attestation, 'direct');
      assert.equal(options.rp.name, 'Pickup Dispatch sign-in');
      assert.equal(options.authenticatorSelection.residentKey, 'required');
      const done = await submitPasskey(a.page);
      assert.ok(done.location, `added: ${done.notice} (${done.error})`);
      held = await a.credentials();
      const claims = await claimsOf(attempt.started, done.location);
      assert.deepEqual(claims.amr, ['pwd', 'hwk', 'user', 'mfa']);
      assert.equal(claims.acr, ACR.twoFactors);
      const stored = await server.services.db.selectFrom('webauthn_credentials').selectAll().execute();
      assert.equal(stored.length, 1);
    } finally {
      await a.close();
    }
  });

  test('user verification preferred reaches get(); back to the defaults, required again', async () => {
    await save({ userVerification: 'preferred' });
    const a = await authenticatorPage(browser, { credentials: held });
    try {
      const attempt = await toPasskeyPage(a.page, twoStep, 'settings-user');
      assert.equal((await optionsOf(a.page)).userVerification, 'preferred');
      const done = await submitPasskey(a.page);
      assert.ok(done.location, `signed in: ${done.notice} (${done.error})`);
      held = await a.credentials();
      // the authenticator verified its user all the same: two factors by the key
      assert.deepEqual((await claimsOf(attempt.started, done.location)).amr, ['pwd', 'hwk', 'user', 'mfa']);
    } finally {
      await a.close();
    }
    await save({});
    const b = await authenticatorPage(browser, { credentials: held });
    try {
      await toPasskeyPage(b.page, twoStep, 'settings-user');
      assert.equal((await optionsOf(b.page)).userVerification, 'required');
    } finally {
      await b.close();
    }
  });
});
