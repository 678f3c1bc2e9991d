// Segment counting, preset plain conversion and the secret round trip an admin API relies on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countSegments,
  createSmsGateway,
  gatewayConfig,
  isProblem,
  maskGatewayConfigForDisplay,
  mergeSecrets,
  PRESETS,
  presetToPlain,
  secretValuesOf,
  validateGatewayConfig,
} from '../../src/sms/index.js';

describe('countSegments', () => {
  it('counts GSM-7 with extension characters as two septets', () => {
    assert.deepEqual(countSegments('Verification Code: 123456'), { encoding: 'GSM-7', segments: 1, characters: 25 });
    assert.deepEqual(countSegments('€[]'), { encoding: 'GSM-7', segments: 1, characters: 6 });
    assert.equal(countSegments('a'.repeat(160)).segments, 1);
    assert.equal(countSegments('a'.repeat(161)).segments, 2);
    assert.equal(countSegments('{'.repeat(80)).segments, 1);
    assert.equal(countSegments('{'.repeat(81)).segments, 2);
    assert.equal(countSegments('a'.repeat(306)).segments, 2);
    assert.equal(countSegments('a'.repeat(307)).segments, 3);
  });
  it('falls back to UCS-2 counting UTF-16 code units', () => {
    assert.deepEqual(countSegments('Привет'), { encoding: 'UCS-2', segments: 1, characters: 6 });
    assert.equal(countSegments('👍'.repeat(35)).segments, 1);
    assert.equal(countSegments(`${'👍'.repeat(35)}a`).segments, 2);
    assert.equal(countSegments('ශ'.repeat(134)).segments, 2);
    assert.equal(countSegments('ශ'.repeat(135)).segments, 3);
    assert.equal(countSegments('').segments, 0);
  });
});

describe('presets', () => {
  it('every preset declares a baseUrl with the real API origin and validates with its required fields', () => {
    for (const preset of Object.values(PRESETS)) {
      const base = preset.fields.find((f) => f.name === 'baseUrl');
      assert.match(base?.default ?? '', /^https:\/\/[a-z.]+$/, preset.id);
      const missing = validateGatewayConfig(gatewayConfig({ preset: { provider: preset.id, fields: {} } }));
      assert.ok(
        missing.some((p) => p.severity === 'error' && p.field.startsWith('preset.fields')),
        preset.id,
      );
    }
  });
  it('presetToPlain renders the same request as the preset', () => {
    const gateway = createSmsGateway({ trustedCertificates: async () => [] });
    const selection = {
      provider: 'twilio' as const,
      fields: { accountSid: 'AC1', authToken: 'tok', from: '+15005550006' },
    };
    const plain = presetToPlain(selection);
    assert.equal(plain.preset, undefined);
    assert.equal(plain.url, 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json');
    const msg = { to: '+94771234567', text: 'Code 1' };
    assert.deepEqual(gateway.render(plain, msg), gateway.render(gatewayConfig({ preset: selection }), msg));
    assert.deepEqual(validateGatewayConfig(plain), []);
  });
  it('Twilio needs From or a messaging service', () => {
    const problems = validateGatewayConfig(
      gatewayConfig({ preset: { provider: 'twilio', fields: { accountSid: 'AC1', authToken: 't' } } }),
    );
    assert.match(problems.map((p) => p.message).join(), /From number or Messaging service SID/);
  });
  it('Vonage asks for type=unicode only when the text needs it, and drops the + of the number', () => {
    const gateway = createSmsGateway({ trustedCertificates: async () => [] });
    const config = gatewayConfig({
      preset: { provider: 'vonage', fields: { apiKey: 'k', apiSecret: 's', from: 'X' } },
    });
    const latin = gateway.render(config, { to: '+447700900000', text: 'Code' });
    const cyr = gateway.render(config, { to: '+447700900000', text: 'Код' });
    assert.ok(!isProblem(latin) && !isProblem(cyr));
    assert.ok(!latin.body?.includes('type=unicode') && latin.body?.includes('to=447700900000'));
    assert.ok(cyr.body?.endsWith('&type=unicode'));
  });
});

describe('secrets for display', () => {
  it('masks preset secrets and keeps them when ******** comes back', () => {
    const stored = gatewayConfig({
      preset: { provider: 'plivo', fields: { authId: 'MA1', authToken: 'real-token', src: '+1555' } },
      maskValues: ['private'],
    });
    const shown = maskGatewayConfigForDisplay(stored);
    // the literal the console shows and sends back, not the implementation's constant (a changed mask must fail here)
    assert.equal(shown.preset?.fields.authToken, '********');
    assert.equal(shown.preset?.fields.authId, 'MA1');
    assert.ok(!JSON.stringify(shown).includes('real-token') && !JSON.stringify(shown).includes('private'));
    const edited = {
      ...shown,
      preset: { provider: 'plivo' as const, fields: { ...shown.preset?.fields, src: '+1666' } },
    };
    const merged = mergeSecrets(edited, stored);
    assert.deepEqual(merged.preset?.fields, { authId: 'MA1', authToken: 'real-token', src: '+1666' });
    assert.deepEqual(merged.maskValues, ['private']);
    assert.deepEqual(secretValuesOf(stored).sort(), ['private', 'real-token']);
  });
  it('masks plain Authorization headers, secret query and body values, and restores them', () => {
    const stored = gatewayConfig({
      url: 'https://x.test/send?api_key=K1&api_secret=S1&to=$ctx.num',
      headers: 'Authorization: Basic QUJD,Accept: application/json',
      payload: '{"password":"P1","text":"$ctx.msg"}',
    });
    const shown = maskGatewayConfigForDisplay(stored);
    for (const secret of ['K1', 'S1', 'QUJD', 'P1']) assert.ok(!JSON.stringify(shown).includes(secret), secret);
    assert.ok(shown.headers.includes('Accept: application/json'));
    assert.deepEqual(mergeSecrets(shown, stored), stored);
    const changed = mergeSecrets({ ...shown, headers: 'Authorization: Basic NEW,Accept: application/json' }, stored);
    assert.equal(changed.headers, 'Authorization: Basic NEW,Accept: application/json');
  });
});
