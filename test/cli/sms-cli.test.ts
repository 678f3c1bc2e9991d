/**
 * The SMS side of the `stepgate` command as a real process: `apply` prints the warnings a save detects and refuses a
 * mask whose destination changed; `sms send` prints the provider's (masked) answer on success too, logs a failure at
 * warn level, and refuses an internal destination in production mode.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { json, type MockServer, makeSelfSignedCertificate, startHttpsServer } from '../sms/support/tls.js';
import { runStepgate, trustCertificate } from './support.js';

const SECRET = 'sk-cli-secret-9876';

function configIn(dir: string, extra = ''): string {
  const file = join(dir, 'stepgate.yaml');
  writeFileSync(
    file,
    `dataDir: ${join(dir, 'data')}\nmasterKey: ${Buffer.alloc(32, 5).toString('base64')}\nlogLevel: warn\n${extra}`,
  );
  return file;
}

const stepgate = runStepgate;

const gatewayYaml = (url: string, payload: string) =>
  `identityProviders:\n  - name: smsOTP\n    authenticators:\n      - type: sms-otp\n        config:\n          gateway:\n` +
  `            url: ${url}\n            method: POST\n` +
  `            headers: "Authorization: Bearer ${SECRET}, Content-Type: application/json"\n` +
  `            payload: '${payload}'\n`;

describe('stepgate apply and sms send for SMS', () => {
  const cert = makeSelfSignedCertificate('127.0.0.1');
  let provider: MockServer;
  let dir: string;
  let config: string;
  before(async () => {
    provider = await startHttpsServer(cert, (req, res) => {
      if (req.url.pathname === '/down') return json(res, 503, { error: `down, token ${SECRET}` });
      json(res, 202, { id: 'msg-77', to: JSON.parse(req.body).dst, note: `echo ${SECRET}` });
    });
    dir = mkdtempSync(join(tmpdir(), 'stepgate-sms-cli-'));
    config = configIn(dir);
    await trustCertificate(config, cert.certPem, 'p');
  });
  after(() => provider.close());

  test('apply prints the warning of a payload with ctx.num without $, with the file line, and still applies', async () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, gatewayYaml(`${provider.origin}/send`, '{"src":"+1","dst":"ctx.num","text":"$ctx.msg"}'));
    const applied = await stepgate(config, ['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.err);
    assert.match(applied.out, /created {2}identity provider smsOTP/);
    assert.match(
      applied.out,
      /warning {2}.*typo\.yaml line \d+ \(identityProviders\.0\): authenticators\[0\]\.config\.gateway\.payload: "ctx\.num" has no \$/,
    );
    const fixed = join(dir, 'fixed.yaml');
    writeFileSync(fixed, gatewayYaml(`${provider.origin}/send`, '{"src":"+1","dst":"$ctx.num","text":"$ctx.msg"}'));
    const clean = await stepgate(config, ['apply', '-f', fixed]);
    assert.equal(clean.code, 0, clean.err);
    assert.doesNotMatch(clean.out, /warning/);
  });

  test('sms send prints the masked provider answer on success', async () => {
    const sent = await stepgate(config, ['sms', 'send', '--idp', 'smsOTP', '--to', '+94771234567']);
    assert.equal(sent.code, 0, sent.out + sent.err);
    assert.match(sent.out, /Accepted in \d+ ms/);
    assert.match(sent.out, /Provider answered \(masked\): \{"id":"msg-77","to":"\*+4567","note":"echo \*{8}"\}/);
    assert.doesNotMatch(sent.out + sent.err, new RegExp(SECRET));
    assert.doesNotMatch(sent.out, /94771234567/);
  });

  test('a failed send: the reason with status and excerpt, and a warn log line without secrets', async () => {
    const file = join(dir, 'down.yaml');
    writeFileSync(file, gatewayYaml(`${provider.origin}/down`, '{"dst":"$ctx.num","text":"$ctx.msg"}'));
    assert.equal((await stepgate(config, ['apply', '-f', file])).code, 0);
    const failed = await stepgate(config, ['sms', 'send', '--idp', 'smsOTP', '--to', '+94771234567']);
    assert.equal(failed.code, 2, failed.out + failed.err);
    assert.match(failed.out, /Failed: SMSOTP-65004: the provider answered HTTP 503: "\{"error":"down, token \*{8}"\}"/);
    const logged = (failed.out + failed.err)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = logged.find((l) => l.code === 'SMSOTP-65004');
    assert.ok(line, `no log line in ${failed.out}${failed.err}`);
    assert.equal(line.level, 40);
    assert.equal(line.to, '********4567');
    assert.doesNotMatch(failed.out + failed.err, new RegExp(SECRET));
  });

  test('apply refuses a masked secret whose destination changed, naming the field and the line', async () => {
    const file = join(dir, 'moved.yaml');
    writeFileSync(
      file,
      `identityProviders:\n  - name: smsOTP\n    authenticators:\n      - type: sms-otp\n        config:\n          gateway:\n` +
        `            url: https://sms.attacker.example/send\n            method: POST\n` +
        `            headers: "Authorization: ********, Content-Type: application/json"\n` +
        `            payload: '{"dst":"$ctx.num","text":"$ctx.msg"}'\n`,
    );
    const refused = await stepgate(config, ['apply', '-f', file]);
    assert.equal(refused.code, 1, refused.out);
    assert.match(
      refused.err,
      /moved\.yaml line \d+ .*gateway\.headers: still holds the mask \*{8}.*enter the secret again/s,
    );
  });
});

describe('stepgate sms send in production mode', () => {
  test('an SMS URL on loopback is refused; the provider receives nothing', async () => {
    const cert = makeSelfSignedCertificate('127.0.0.1');
    const provider = await startHttpsServer(cert, (_req, res) => json(res, 200, { ok: true }));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'stepgate-sms-prod-'));
      const config = configIn(dir, 'mode: production\npublicUrl: https://id.example.com\n');
      const file = join(dir, 'setup.yaml');
      writeFileSync(file, gatewayYaml(`${provider.origin}/send`, '{"dst":"$ctx.num","text":"$ctx.msg"}'));
      const applied = await stepgate(config, ['apply', '-f', file]);
      assert.equal(applied.code, 0, applied.err);
      const refused = await stepgate(config, ['sms', 'send', '--idp', 'smsOTP', '--to', '+94771234567']);
      assert.equal(refused.code, 2, refused.out + refused.err);
      assert.match(refused.out, /Failed: destination-refused: 127\.0\.0\.1 is a loopback, private or reserved address/);
      assert.equal(provider.received.length, 0);
    } finally {
      await provider.close();
    }
  });
});
