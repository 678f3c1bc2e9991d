/**
 * The passkey pages in Spanish and Sinhala, over real HTTP: ui_locales picks the language of the page that asks for
 * a passkey (a first step) and of the one that adds one (after the password, for a user with none); the catalogue
 * test (catalogues.test.ts) holds every passkey id to a translation in each shipped locale.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  appWith,
  PASSKEY_STEP,
  PASSWORD,
  PASSWORD_STEP,
  REDIRECT,
  startPasskeyServer,
  userNamed,
} from '../passkey/support/fixture.js';
import { Browser } from '../support/browser.js';
import type { RelyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';

const langOf = (html: string) => /<html lang="([^"]*)"/.exec(html)?.[1];

describe('passkey pages in the shipped languages', () => {
  let server: TestServer;
  let alone: RelyingParty;
  let second: RelyingParty;

  before(async () => {
    server = await startPasskeyServer();
    alone = await appWith(server, 'Passkey only', [PASSKEY_STEP]);
    second = await appWith(server, 'Password then passkey', [PASSWORD_STEP, PASSKEY_STEP]);
  });
  after(() => server?.stop());

  test('ui_locales=es: the passkey page in Spanish, English words gone', async () => {
    const page = await new Browser().go(alone.begin({ ui_locales: 'es' }).url);
    assert.equal(page.status, 200);
    assert.equal(langOf(page.html), 'es');
    assert.match(page.html, /<h1>Use su llave de acceso<\/h1>/);
    assert.match(page.html, /Las llaves de acceso necesitan JavaScript/);
    assert.match(page.html, />Usar una llave de acceso<\/button>/);
    assert.doesNotMatch(page.html, /Use your passkey|Passkeys need JavaScript/);
  });

  test('ui_locales=si: adding a passkey after the password, in Sinhala', async () => {
    await userNamed(server, 'nimal');
    const browser = new Browser();
    const first = await browser.go(second.begin({ ui_locales: 'si' }).url);
    const page = await browser.submit(Browser.form(first), { username: 'nimal', password: PASSWORD }, (u) =>
      u.startsWith(REDIRECT),
    );
    assert.equal(page.status, 200, page.html.slice(0, 500));
    assert.equal(langOf(page.html), 'si');
    assert.match(page.html, /<h1>මුරයතුරක් එක් කරන්න<\/h1>/);
    assert.match(page.html, /data-passkey="create"/);
    assert.doesNotMatch(page.html, /Add a passkey|asks for a passkey/);
  });

  test('without ui_locales the page stays English', async () => {
    const page = await new Browser().go(alone.begin().url);
    assert.equal(langOf(page.html), 'en');
    assert.match(page.html, /<h1>Use your passkey<\/h1>/);
  });
});
