/** The parts of the SMS OTP authenticator that need no server: codes, masking, the decision rules, the descriptor. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readConfig } from '../../src/authenticators/sms-otp/config.js';
import { decide, type Facts, RULES } from '../../src/authenticators/sms-otp/decide.js';
import { smsOtpDescriptor } from '../../src/authenticators/sms-otp/index.js';
import { maskMobile } from '../../src/authenticators/sms-otp/mask.js';
import { validateCapturedNumber } from '../../src/authenticators/sms-otp/mobile.js';
import { generateOtp, hashOtp, otpMatches } from '../../src/authenticators/sms-otp/otp.js';
import { RULE_IDS } from '../../src/authenticators/sms-otp/reasons.js';
import { renderMessage } from '../../src/authenticators/sms-otp/send.js';
import { createKeyring } from '../../src/crypto/keyring.js';
import { gatewayFor } from './support/fixture.js';

const keyring = createKeyring(Buffer.alloc(32, 3));

describe('codes', () => {
  test('digits are uniform (chi-square over 60,000 draws) and codes have the asked length and alphabet', () => {
    const counts = new Array(10).fill(0) as number[];
    for (let i = 0; i < 10_000; i++) for (const c of generateOtp(6, true).code) counts[Number(c)]! += 1;
    const expected = 6000;
    const chi = counts.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    assert.ok(chi < 27.88, `chi-square ${chi.toFixed(2)} exceeds the p=0.001 bound for 9 degrees of freedom`);
    assert.match(generateOtp(10, false).code, /^[A-Z0-9]{10}$/);
    assert.match(generateOtp(4, true).code, /^\d{4}$/);
  });

  test('the hash is bound to the login and the code id; a match ignores case and spaces', () => {
    const otp = generateOtp(6, false);
    const stored = { id: otp.id, hash: hashOtp(keyring, 'login-a', otp.id, otp.code) };
    assert.ok(!stored.hash.includes(otp.code));
    assert.equal(
      otpMatches(keyring, 'login-a', stored, ` ${otp.code.toLowerCase().slice(0, 3)} ${otp.code.slice(3)} `),
      true,
    );
    assert.equal(otpMatches(keyring, 'login-b', stored, otp.code), false, 'a code works only in its own login');
    assert.equal(otpMatches(keyring, 'login-a', { ...stored, id: 'other' }, otp.code), false);
  });

  test('the message: WSO2 text ending with the WebOTP line by default, placeholders, off, the Android app hash', () => {
    const ctx = { publicUrl: 'https://id.example.com:9443', application: { name: 'Pickup' } } as Parameters<
      typeof renderMessage
    >[2];
    assert.equal(renderMessage(readConfig({}), '123456', ctx), 'Verification Code: 123456\n\n@id.example.com #123456');
    assert.equal(renderMessage(readConfig({ webOtp: false }), '123456', ctx), 'Verification Code: 123456');
    const custom = readConfig({ messageTemplate: '{application}: {code} ({minutes} min)' });
    assert.equal(renderMessage(custom, '654321', ctx), 'Pickup: 654321 (5 min)\n\n@id.example.com #654321');
    const hashed = readConfig({ androidAppHash: { Pickup: 'FA+9qCX9VSu', Other: 'AAAAAAAAAAA' } });
    assert.equal(
      renderMessage(hashed, '111222', ctx),
      'Verification Code: 111222\n\nFA+9qCX9VSu\n@id.example.com #111222',
      'the hash of this application only, and the WebOTP line stays the last line',
    );
  });
});

describe('masking', () => {
  test('digits shown from either end; + and separators kept', () => {
    assert.equal(maskMobile('+94771234567', { digitsShown: 4, from: 'end' }), '+*******4567');
    assert.equal(maskMobile('+94771234567', { digitsShown: 4, from: 'start' }), '+9477*******');
    assert.equal(maskMobile('+94771234567', { digitsShown: 0, from: 'end' }), '+***********');
  });
});

describe('captured numbers', () => {
  test('E.164 out, landlines and impossible numbers refused, default country for national numbers', () => {
    const config = readConfig({ defaultCountry: 'LK' });
    assert.deepEqual(validateCapturedNumber('077 123 4567', config), { ok: true, e164: '+94771234567', country: 'LK' });
    assert.deepEqual(validateCapturedNumber('+94 11 234 5678', config), {
      ok: false,
      message: 'sms-otp.mobile-invalid',
    });
    assert.deepEqual(validateCapturedNumber('0771234567', readConfig({})), {
      ok: false,
      message: 'sms-otp.mobile-invalid',
    });
  });
});

describe('the decision rules', () => {
  const base: Facts = {
    userInStore: true,
    disabled: false,
    locked: false,
    disabledByUser: false,
    mandatory: false,
    hasMobile: true,
    mobileUsable: true,
    captureEnabled: true,
  };
  const cases: [Partial<Facts>, string, string][] = [
    [{}, 'has-mobile', 'send'],
    [{ userInStore: false }, 'user-not-in-store', 'skip'],
    [{ userInStore: false, mandatory: true }, 'user-not-in-store-mandatory', 'refuse'],
    [{ disabled: true, locked: true, disabledByUser: true }, 'user-disabled', 'refuse'],
    [{ disabled: true, mandatory: false, captureEnabled: true }, 'user-disabled', 'refuse'],
    [{ locked: true, disabledByUser: true }, 'account-locked', 'refuse'],
    [{ disabledByUser: true }, 'disabled-by-user', 'skip'],
    [{ disabledByUser: true, mandatory: true }, 'disabled-by-user-mandatory', 'refuse'],
    [{ mobileUsable: false }, 'capture-mobile', 'capture'],
    [{ mobileUsable: false, captureEnabled: false }, 'mobile-unusable', 'refuse'],
    [{ hasMobile: false, mobileUsable: false }, 'capture-mobile', 'capture'],
    [{ hasMobile: false, mobileUsable: false, captureEnabled: false }, 'no-mobile', 'refuse'],
  ];
  for (const [facts, rule, kind] of cases) {
    test(`${JSON.stringify(facts)} → ${rule} (${kind})`, () => {
      const d = decide({ ...base, ...facts });
      assert.equal(d.rule, rule);
      assert.equal(d.action.kind, kind);
    });
  }
  test('every rule has a reason id from the catalogue, each used once', () => {
    assert.deepEqual(
      RULES.map((r) => r.id),
      [...RULE_IDS],
    );
  });
});

describe('the descriptor', () => {
  test('secrets are masked for display and kept when the masked form comes back', () => {
    const stored = readConfig({ gateway: gatewayFor('http://127.0.0.1:1') }) as unknown as Record<string, unknown>;
    const shown = smsOtpDescriptor.maskConfig(stored);
    assert.doesNotMatch(JSON.stringify(shown), /test-secret-value/);
    const merged = smsOtpDescriptor.mergeConfig({ ...shown, otpLength: 8 }, stored);
    assert.match(JSON.stringify(merged), /test-secret-value/);
    assert.equal(merged.otpLength, 8);
  });

  test('validation names the field of each problem', () => {
    const problems = smsOtpDescriptor.validateConfig({
      messageTemplate: 'no code here',
      mobileRegex: '(',
      limits: { allowedCountries: ['XX'] },
    });
    const fields = problems.map((p) => p.field);
    for (const f of ['gateway.url', 'messageTemplate', 'mobileRegex', 'limits.allowedCountries[0]'])
      assert.ok(fields.includes(f), `${f} missing in ${fields}`);
    assert.deepEqual(smsOtpDescriptor.validateConfig({ gateway: gatewayFor('http://127.0.0.1:1') }), []);
  });
});

describe('docs/sms-otp.md', () => {
  test('lists every option, decision rule, audit event and limit id', async () => {
    const { readFileSync } = await import('node:fs');
    const { SmsOtpConfigSchema } = await import('../../src/authenticators/sms-otp/config.js');
    const { AuditEvent, LIMIT_IDS } = await import('../../src/authenticators/sms-otp/reasons.js');
    const doc = readFileSync(new URL('../../docs/sms-otp.md', import.meta.url), 'utf8');
    const names: string[] = [];
    for (const [key, schema] of Object.entries(SmsOtpConfigSchema.properties)) {
      const nested = (schema as { properties?: Record<string, unknown> }).properties;
      if (key === 'gateway' || !nested) names.push(key);
      else for (const sub of Object.keys(nested)) names.push(`${key}.${sub}`);
    }
    for (const id of [
      ...names,
      ...RULE_IDS,
      ...Object.values(AuditEvent),
      ...LIMIT_IDS.filter((l) => l !== 'cooldown'),
    ]) {
      assert.ok(doc.includes(`\`${id}\``), `docs/sms-otp.md does not mention \`${id}\``);
    }
  });
});
