/**
 * Languages of a login, through real HTTP: the application's ui_locales, the user's locale claim and the browser's
 * Accept-Language choose the pages' language (`<html lang>`, the password and code pages) and the SMS text (its
 * template per locale, the WebOTP line last, GSM-7 or UCS-2 as the text needs); anything else falls back to English.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chooseLocale, parseAcceptLanguage, supportedLocale } from '../../src/authn/messages-locale.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { addLocalClaim } from '../../src/identity/claims.js';
import { countSegments } from '../../src/sms/index.js';
import { gatewayFor, MOBILE, PASSWORD, REDIRECT, type SmsOtpFixture, startSmsOtp } from '../sms-otp/support/fixture.js';
import { Browser, type Page } from '../support/browser.js';
import { startVonage, type VonageImitation } from './support/vonage.js';

const LOCALITY = 'http://wso2.org/claims/locality';

/** A browser that sends one Accept-Language header on every request. */
class SpeakingBrowser extends Browser {
  constructor(private readonly language: string) {
    super();
  }
  override request(url: string, init: Parameters<Browser['request']>[1] = {}) {
    return super.request(url, { ...init, headers: { 'accept-language': this.language, ...(init.headers ?? {}) } });
  }
}

const langOf = (page: Page) => /<html lang="([^"]*)"/.exec(page.html)?.[1];

describe('languages of a login', () => {
  let f: SmsOtpFixture;
  let sms: VonageImitation;
  before(async () => {
    sms = await startVonage();
    f = await startSmsOtp({ config: { gateway: gatewayFor(sms.origin) } });
    await addLocalClaim(f.server.services.db, {
      uri: LOCALITY,
      displayName: 'Locality',
      mappedAttribute: 'localityName',
    });
    await f.addUser('ana');
    await f.addUser('nimal', { [ClaimUri.mobile]: MOBILE, [LOCALITY]: 'si-LK' });
  });
  after(async () => {
    await f.stop();
    await sms.close();
  });

  /** The password page, the code page after it, the SMS sent, and the callback after the code. */
  async function login(username: string, browser: Browser, extra: Record<string, string> = {}) {
    const started = f.rp.begin(extra);
    const passwordPage = await browser.go(started.url);
    assert.match(passwordPage.html, /name="password"/, 'expected the password page');
    const before = sms.forms.length;
    const codePage = await browser.submit(Browser.form(passwordPage), { username, password: PASSWORD });
    assert.equal(sms.forms.length, before + 1, 'one SMS sent');
    const form = sms.forms.at(-1)!;
    const text = form.get('text')!;
    const code = /#(\w+)$/.exec(text)?.[1];
    assert.ok(code, `the WebOTP line is the last line: ${JSON.stringify(text)}`);
    const callback = await browser.submit(Browser.form(codePage, 'sms-otp-verify'), { code }, (u) =>
      u.startsWith(REDIRECT),
    );
    assert.ok(callback.url.startsWith(REDIRECT), `expected the callback, got ${callback.status}`);
    assert.ok((await f.rp.finish(callback.url, started)).claims()?.sub);
    return { passwordPage, codePage, text, unicode: form.get('type') === 'unicode' };
  }

  test('ui_locales=es: Spanish pages and a Spanish SMS in one GSM-7 segment', async () => {
    const r = await login('ana', new SpeakingBrowser('si'), { ui_locales: 'es-419 en' });
    assert.equal(langOf(r.passwordPage), 'es');
    assert.match(r.passwordPage.html, /<h1>Iniciar sesión<\/h1>/);
    assert.match(r.passwordPage.html, /<label for="password">Contraseña<\/label>/);
    assert.match(r.passwordPage.html, /Protegido por Stepgate/);
    assert.equal(langOf(r.codePage), 'es');
    assert.match(r.codePage.html, /Introduzca el código enviado a su teléfono móvil/);
    assert.match(r.text, /^Codigo de verificacion: \d{6}\n\n@127\.0\.0\.1 #\d{6}$/);
    assert.deepEqual(
      { ...countSegments(r.text), unicode: r.unicode },
      { encoding: 'GSM-7', characters: r.text.length, segments: 1, unicode: false },
    );
  });

  test('Accept-Language: si: Sinhala pages and a Sinhala SMS sent as UCS-2', async () => {
    const r = await login('ana', new SpeakingBrowser('fr-FR, si;q=0.8, en;q=0.5'));
    assert.equal(langOf(r.passwordPage), 'si');
    assert.match(r.passwordPage.html, /<label for="password">මුරපදය<\/label>/);
    assert.match(r.codePage.html, /SMS OTP මගින් සත්‍යාපනය/);
    assert.match(r.text, /^සත්‍යාපන කේතය: \d{6}\n\n@127\.0\.0\.1 #\d{6}$/);
    const s = countSegments(r.text);
    assert.equal(s.encoding, 'UCS-2');
    assert.equal(s.segments, 1);
    assert.equal(r.unicode, true, 'the Vonage request says type=unicode');
  });

  test("the user's locale claim speaks once the user is known, before Accept-Language", async () => {
    const r = await login('nimal', new SpeakingBrowser('es'));
    // the password page comes before anyone is known: the browser's language
    assert.equal(langOf(r.passwordPage), 'es');
    assert.equal(langOf(r.codePage), 'si');
    assert.match(r.codePage.html, /ඔබේ ජංගම දුරකථනයට යැවූ කේතය ඇතුළත් කරන්න/);
    assert.match(r.text, /^සත්‍යාපන කේතය: /);
  });

  test('a language Stepgate has no texts for falls back to English (pages and SMS)', async () => {
    const r = await login('ana', new SpeakingBrowser('de-DE, fr;q=0.9'), { ui_locales: 'pt-BR' });
    assert.equal(langOf(r.passwordPage), 'en');
    assert.match(r.passwordPage.html, /<h1>Sign in<\/h1>/);
    assert.match(r.passwordPage.html, /Secured by Stepgate/);
    assert.match(r.codePage.html, /Enter the code sent to your mobile phone/);
    assert.match(r.text, /^Verification Code: \d{6}\n\n@127\.0\.0\.1 #\d{6}$/);
  });

  test('an error page outside a login speaks the browser language', async () => {
    const page = await new SpeakingBrowser('es-ES').go(`${f.server.url}/interaction/no-such-login`);
    assert.equal(page.status, 410);
    assert.equal(langOf(page), 'es');
    assert.match(page.html, /Este inicio de sesión caducó o ya se usó/);
  });

  test('an operator template per locale replaces the shipped one; an empty one means the default template', async () => {
    await f.configure({ templates: { es: 'Clave para {application}: {code}', si: '' } });
    const es = await login('ana', new Browser(), { ui_locales: 'es' });
    assert.match(es.text, /^Clave para Pickup Dispatch: \d{6}\n\n@127\.0\.0\.1 #\d{6}$/);
    const si = await login('ana', new Browser(), { ui_locales: 'si' });
    assert.match(si.text, /^Verification Code: \d{6}\n/);
    assert.equal(countSegments(si.text).encoding, 'GSM-7');
  });

  test('a template per locale without {code} is refused at its field, like the message template', async () => {
    await assert.rejects(f.configure({ templates: { es: 'Su clave llega pronto' } }), (e: unknown) => {
      assert.match(JSON.stringify(e, Object.getOwnPropertyNames(e)), /templates\.es/);
      return true;
    });
  });
});

describe('choosing a locale', () => {
  test('ui_locales, then the user, then Accept-Language, then English; regions fall back to their language', () => {
    assert.equal(chooseLocale({ requested: ['fr', 'es-419'], accepted: ['si'] }, 'si'), 'es');
    assert.equal(chooseLocale({ requested: ['fr'], accepted: ['es'] }, 'si_LK'), 'si');
    assert.equal(chooseLocale({ requested: [], accepted: ['de', 'es-MX'] }, 'xx'), 'es');
    assert.equal(chooseLocale({ accepted: ['de'] }), 'en');
    assert.equal(chooseLocale(undefined), 'en');
  });

  test('Accept-Language by q, q=0 and * dropped; junk tags are no locale', () => {
    assert.deepEqual(parseAcceptLanguage('en;q=0.5, si, es;q=0.9, *;q=0.1, fr;q=0'), ['si', 'es', 'en']);
    assert.deepEqual(parseAcceptLanguage(undefined), []);
    assert.equal(supportedLocale('es-419'), 'es');
    assert.equal(supportedLocale('esp'), undefined);
    assert.equal(supportedLocale('<script>'), undefined);
  });
});
