/**
 * `stepgate sms send` with a list of gateways, as a real process against two HTTPS provider imitations (Vonage
 * speaking, trusted through the truststore): the first gateway of the route the number takes by default, the one
 * `--gateway` names otherwise, an unknown name refused with a clear error and nothing sent; a configuration of the
 * older single-gateway shape answers to the name `default`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import { type HttpsProvider, namedGateway, startHttpsProvider } from '../sms-otp/support/https-provider.js';
import { runStepgate as stepgate, trustCertificate } from './support.js';

describe('stepgate sms send --gateway', () => {
  const cert = makeSelfSignedCertificate('127.0.0.1');
  let alpha: HttpsProvider;
  let beta: HttpsProvider;
  let dir: string;
  let config: string;
  /** applies a setup whose smsOTP configuration is `smsOtp` (JSON is YAML) */
  const apply = async (smsOtp: Record<string, unknown>) => {
    const file = join(dir, 'setup.yaml');
    const setup = { identityProviders: [{ name: 'smsOTP', authenticators: [{ type: 'sms-otp', config: smsOtp }] }] };
    writeFileSync(file, JSON.stringify(setup, null, 2));
    const applied = await stepgate(config, ['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.out + applied.err);
  };
  const send = (...extra: string[]) => stepgate(config, ['sms', 'send', '--idp', 'smsOTP', ...extra]);
  const counts = () => [alpha.messages.length, beta.messages.length];

  before(async () => {
    alpha = await startHttpsProvider(cert);
    beta = await startHttpsProvider(cert);
    dir = mkdtempSync(join(tmpdir(), 'stepgate-sms-gateways-'));
    config = join(dir, 'stepgate.yaml');
    writeFileSync(
      config,
      `dataDir: ${join(dir, 'data')}\nmasterKey: ${Buffer.alloc(32, 6).toString('base64')}\nlogLevel: warn\n`,
    );
    await trustCertificate(config, cert.certPem, 'i');
    await apply({
      gateways: [namedGateway('alpha', alpha.origin), namedGateway('beta', beta.origin)],
      routes: [{ match: { prefixes: ['+44'] }, gateways: ['beta', 'alpha'] }],
    });
  });
  after(() => Promise.all([alpha.close(), beta.close()]));

  test("without --gateway: the first gateway of the number's route, or the first of all when no route matches", async () => {
    const plain = await send('--to', '+94771234567');
    assert.equal(plain.code, 0, plain.out + plain.err);
    assert.match(plain.out, /^Gateway: alpha \(first gateway; no route matches the number\)$/m);
    assert.match(plain.out, /Accepted \(message id https-1\)/);
    assert.deepEqual(counts(), [1, 0]);

    const routed = await send('--to', '+447400123456');
    assert.equal(routed.code, 0, routed.out + routed.err);
    assert.match(routed.out, /^Gateway: beta \(first gateway of route 0\)$/m);
    assert.deepEqual(counts(), [1, 1]);
    assert.equal(beta.messages.at(-1)?.to, '447400123456');
    // the secret of the gateway used is masked like the other's
    assert.doesNotMatch(routed.out + routed.err, /secret-of-(alpha|beta)/);
  });

  test('--gateway names the gateway, whatever the route says', async () => {
    const named = await send('--to', '+447400123457', '--gateway', 'alpha', '--text', 'alpha check');
    assert.equal(named.code, 0, named.out + named.err);
    assert.match(named.out, /^Gateway: alpha \(chosen with --gateway\)$/m);
    assert.equal(alpha.messages.at(-1)?.text, 'alpha check');
    assert.deepEqual(counts(), [2, 1]);
  });

  test('an unknown name, a near miss in case, a missing value: refused with a clear error, nothing sent', async () => {
    for (const name of ['gamma', 'Beta']) {
      const refused = await send('--to', '+94771234567', '--gateway', name);
      assert.equal(refused.code, 1, refused.out + refused.err);
      assert.match(
        refused.err,
        new RegExp(`gateway: no gateway is named "${name}"; the configured gateways are alpha, beta`),
      );
    }
    const missing = await send('--to', '+94771234567', '--gateway');
    assert.equal(missing.code, 1, missing.out + missing.err);
    assert.match(missing.err, /--gateway/);
    assert.deepEqual(counts(), [2, 1]);
  });

  test('a failing gateway: exit code 2 naming the gateway; the other one is not tried (a test never fails over)', async () => {
    alpha.mode = { kind: 'status', status: 503 };
    try {
      const failed = await send('--to', '+94771234567');
      assert.equal(failed.code, 2, failed.out + failed.err);
      assert.match(failed.out, /^Gateway: alpha /m);
      assert.match(failed.out, /Failed: SMSOTP-65004/);
      assert.equal(beta.hits, 1, 'beta was not asked');
    } finally {
      alpha.mode = { kind: 'ok' };
    }
  });

  test('the older single-gateway shape: its gateway is called default', async () => {
    const { name: _n, failoverOnTimeout: _f, ...single } = namedGateway('x', beta.origin);
    await apply({ gateway: single, gateways: [], routes: [] });
    const sent = await send('--to', '+94771234567', '--gateway', 'default');
    assert.equal(sent.code, 0, sent.out + sent.err);
    assert.match(sent.out, /^Gateway: default \(chosen with --gateway\)$/m);
    const refused = await send('--to', '+94771234567', '--gateway', 'alpha');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /no gateway is named "alpha"; the configured gateways are default/);
    assert.deepEqual(counts(), [2, 2]);
  });
});
