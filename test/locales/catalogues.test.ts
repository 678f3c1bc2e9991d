/**
 * Every message id the pages can show, per shipped locale: which have no translation (shown in English, listed
 * here), the ones that must be translated, and a renderer that falls back to English per id, never to the bare id.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Authenticator } from '../../src/authn/authenticator.js';
import { SUPPORTED_LOCALES } from '../../src/authn/messages-locale.js';
import { messageCatalogue, missingTranslations, translatedCatalogues } from '../../src/web/pages/messages.js';
import { createPageRenderer } from '../../src/web/pages/render.js';
import { startStepgate, type TestServer } from '../support/server.js';

let server: TestServer;
let authenticators: Authenticator[];
before(async () => {
  server = await startStepgate();
  authenticators = server.services.registry.all();
});
after(() => server.stop());

test('ids without a translation, per locale (they are shown in English)', (t) => {
  const english = messageCatalogue(authenticators);
  const translated = translatedCatalogues(authenticators);
  for (const locale of SUPPORTED_LOCALES.filter((l) => l !== 'en')) {
    const missing = missingTranslations(english, translated[locale]);
    t.diagnostic(
      `${locale}: ${missing.length} of ${Object.keys(english).length} ids in English: ${missing.join(', ')}`,
    );
    // the engine's, the web layer's and the password, SMS OTP, TOTP and passkey pages' ids are all translated
    const mustHave = missing.filter((id) => /^(login|oidc|web|logout|page|password|sms-otp|totp|passkey)\./.test(id));
    assert.deepEqual(mustHave, [], `${locale} lacks translations`);
    // a translation keeps the placeholders of its English text
    for (const [id, text] of Object.entries(translated[locale] ?? {})) {
      const want = [...(english[id] ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const got = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(got, want, `${locale} ${id} keeps its placeholders`);
    }
  }
});

test('a renderer in a locale falls back to English per id, and to English for a locale it does not know', () => {
  const pages = createPageRenderer(
    { 'a.one': 'One', 'a.two': 'Two {n}' },
    { translations: { es: { 'a.one': 'Uno' } } },
  );
  const es = pages.forLocale('es');
  assert.equal(es.locale, 'es');
  assert.equal(es.message('a.one'), 'Uno');
  assert.equal(es.message('a.two', { n: 2 }), 'Two 2');
  assert.equal(pages.forLocale('si').message('a.one'), 'One');
  assert.equal(pages.forLocale('si').locale, 'en');
});
