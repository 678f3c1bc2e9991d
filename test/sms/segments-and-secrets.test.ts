// Segment counting, preset plain conversion and the secret round trip an admin API relies on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countSegments,
  createSmsGateway,
  gatewayConfig,
  isProblem,
  isSecretParameter,
  maskedPaths,
  maskGatewayConfigForDisplay,
  mergeSecrets,
  PRESETS,
  presetToPlain,
  restoreMasked,
  secretValuesOf,
  unresolvedMasks,
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

describe('which parameter values are secrets', () => {
  const cases: [string, string, boolean][] = [
    ['api_key', 'k', true], // by name, however short
    ['Password', 'x1', true],
    ['u', 'ab12cd34ef56gh78', true], // 16 letters and digits: looks like a credential
    ['u', 'ab12cd34ef56gh7', false], // one short
    ['u', 'abcdefghijklmnopqrst', false], // no digit
    ['u', '12345678901234567890', false], // no letter (a number)
    ['u', 'ab12cd34ef56gh78$ctx.num', false], // a placeholder is not a stored secret
    ['text', 'Verification Code 123456 here', false], // a space
    ['from', '+15005550006', false],
  ];
  for (const [name, value, secret] of cases) {
    it(`${name}=${value} → ${secret ? 'secret' : 'shown'}`, () => assert.equal(isSecretParameter(name, value), secret));
  }
});

describe('masks and the destination', () => {
  const stored = gatewayConfig({
    url: 'https://user9:pass-word-9@sms.example.test/send?key=K1&to=$ctx.num',
    headers: 'Authorization: Bearer T1',
  });
  const shown = maskGatewayConfigForDisplay(stored);

  it('URL credentials are masked and come back for the same destination', () => {
    assert.equal(shown.url, 'https://********:********@sms.example.test/send?key=********&to=$ctx.num');
    assert.deepEqual(mergeSecrets(shown, stored), stored);
    assert.deepEqual(unresolvedMasks(mergeSecrets(shown, stored)), []);
  });

  for (const [what, url] of [
    ['host', 'https://********:********@sms.attacker.test/send?key=********&to=$ctx.num'],
    ['port', 'https://********:********@sms.example.test:8443/send?key=********&to=$ctx.num'],
    ['scheme', 'http://********:********@sms.example.test/send?key=********&to=$ctx.num'],
    ['path', 'https://********:********@sms.example.test/other?key=********&to=$ctx.num'],
  ] as const) {
    it(`a changed ${what} keeps the masks, and every masked field is named`, () => {
      const merged = mergeSecrets({ ...shown, url }, stored);
      assert.ok(!JSON.stringify(merged).includes('pass-word-9') && !JSON.stringify(merged).includes('T1'), what);
      assert.deepEqual(
        unresolvedMasks(merged).map((p) => p.field),
        ['url', 'headers'],
      );
    });
  }

  it('a changed non-secret query value is a changed destination too (the URL as a whole)', () => {
    const merged = mergeSecrets({ ...shown, url: shown.url.replace('to=$ctx.num', 'to=$ctx.num&x=1') }, stored);
    assert.equal(unresolvedMasks(merged).length, 2);
  });

  it('a preset: another provider or API base URL keeps the mask; the same keeps the secret', () => {
    const preset = gatewayConfig({
      preset: {
        provider: 'plivo',
        fields: { authId: 'MA1', authToken: 'tok-1', src: '+1', baseUrl: 'https://api.plivo.com' },
      },
    });
    const masked = maskGatewayConfigForDisplay(preset);
    assert.equal(mergeSecrets(masked, preset).preset?.fields.authToken, 'tok-1');
    const moved = mergeSecrets(
      { ...masked, preset: { provider: 'plivo', fields: { ...masked.preset!.fields, baseUrl: 'https://evil.test' } } },
      preset,
    );
    assert.deepEqual(
      unresolvedMasks(moved).map((p) => p.field),
      ['preset.fields.authToken'],
    );
    const otherAuthId = mergeSecrets(
      { ...masked, preset: { provider: 'plivo', fields: { ...masked.preset!.fields, authId: 'MA2' } } },
      preset,
    );
    assert.equal(
      unresolvedMasks(otherAuthId).length,
      1,
      'the auth id is in the URL: another account is another destination',
    );
  });

  it('configurations without their own merge: a mask is kept only while no address-like value changed', () => {
    const old = { endpoint: 'https://a.test', token: 'T9', nested: { apiKey: 'K9' } };
    const incoming = { endpoint: 'https://a.test', token: '********', nested: { apiKey: '********' } };
    assert.deepEqual(restoreMasked(incoming, old), old);
    const moved = restoreMasked({ ...incoming, endpoint: 'https://b.test' }, old);
    assert.deepEqual(maskedPaths(moved), ['token', 'nested.apiKey']);
  });
});
