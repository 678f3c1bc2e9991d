// SSRF: with private destinations refused, the gateway sends nothing to loopback, private or reserved addresses,
// neither as IP literals (v4, v6, IPv4-mapped v6) nor through host names that resolve to them; public look-alikes pass.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDestinationGuard } from '../../src/sms/destination.js';
import { createSmsGateway, gatewayConfig, isNonPublicAddress } from '../../src/sms/index.js';
import { json, type MockServer, makeSelfSignedCertificate, startHttpsServer } from './support/tls.js';

const NUMBER = '+94771234567';
const cert = makeSelfSignedCertificate();

describe('which addresses are not public', () => {
  const notPublic = [
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:a9fe:a9fe', // 169.254.169.254, mapped
    '2002:7f00:1::', // 6to4 of 127.0.0.1
    '64:ff9b::a00:1', // NAT64
    '[::1]',
  ];
  for (const address of notPublic) it(`${address} is refused`, () => assert.equal(isNonPublicAddress(address), true));

  // one step outside each range
  const publicOnes = [
    '8.8.8.8',
    '11.0.0.1',
    '172.15.255.255',
    '172.32.0.1',
    '192.169.0.1',
    '169.255.0.1',
    '100.128.0.1',
    '126.255.255.255',
    '128.0.0.1',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '2002:808:808::',
  ];
  for (const address of publicOnes) it(`${address} is public`, () => assert.equal(isNonPublicAddress(address), false));

  it('something that is not an address is refused rather than guessed', () => {
    assert.equal(isNonPublicAddress('localhost'), true);
  });
});

describe('the gateway with private destinations refused', () => {
  let server: MockServer;
  const refusing = createSmsGateway({
    trustedCertificates: async () => [cert.certPem],
    destinations: { allowPrivate: false, allowList: [] },
  });
  const listed = createSmsGateway({
    trustedCertificates: async () => [cert.certPem],
    destinations: { allowPrivate: false, allowList: ['10.0.0.0/8', '127.0.0.1'] },
  });
  const open = createSmsGateway({ trustedCertificates: async () => [cert.certPem] });

  before(async () => {
    server = await startHttpsServer(cert, (req, res) =>
      req.url.pathname === '/secret-admin'
        ? json(res, 500, { internal: 'x'.repeat(5000) })
        : json(res, 200, { ok: true }),
    );
  });
  after(async () => {
    await server.close();
    await Promise.all([refusing.close(), listed.close(), open.close()]);
  });

  const port = () => new URL(server.origin).port;
  const send = (gateway: typeof refusing, url: string) =>
    gateway.send(gatewayConfig({ url, connectTimeoutMs: 2000, responseTimeoutMs: 2000 }), { to: NUMBER, text: 'hi' });

  for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '127.1']) {
    it(`an IP literal ${host} is refused before connecting; nothing arrives`, async () => {
      const before = server.received.length;
      const result = await send(refusing, `https://${host}:${port()}/sms?to=$ctx.num`);
      assert.ok(!result.ok, '!result.ok');
      assert.equal(result.code, 'destination-refused');
      assert.match(result.reason, /public/);
      assert.equal(server.received.length, before);
    });
  }

  it('a host name that resolves to loopback (localhost) is refused at connect time; nothing arrives', async () => {
    const before = server.received.length;
    const result = await send(refusing, `https://localhost:${port()}/sms`);
    assert.ok(!result.ok, '!result.ok');
    assert.equal(result.code, 'destination-refused', result.reason);
    assert.match(result.reason, /localhost is resolved to (127\.0\.0\.1|::1)/);
    assert.equal(server.received.length, before);
  });

  it('an allow-listed address goes through; one not on the list is still refused', async () => {
    const ok = await send(listed, `${server.origin}/sms`);
    assert.ok(ok.ok, JSON.stringify(ok));
    const other = await send(listed, `https://127.0.0.2:${port()}/sms`);
    assert.ok(!other.ok && other.code === 'destination-refused', "!other.ok && other.code === 'destination-refused'");
  });

  it('with private destinations allowed (development), loopback works', async () => {
    assert.ok((await send(open, `${server.origin}/sms`)).ok);
  });

  it('a failed answer comes back only as a short excerpt, also from an internal server', async () => {
    const result = await send(open, `${server.origin}/secret-admin`);
    assert.ok(!result.ok, '!result.ok');
    assert.ok((result.providerAnswer ?? '').length <= 201, `answer of ${result.providerAnswer?.length} characters`);
    assert.ok(result.reason.length < 300, result.reason);
    assert.match(result.reason, /HTTP 500/);
  });
});

describe('the allow-list', () => {
  it('takes host names, addresses (also bracketed IPv6) and CIDR ranges', () => {
    const guard = createDestinationGuard({
      allowPrivate: false,
      allowList: ['sms-relay.internal', '10.20.0.0/16', '[fd00::1]', '192.168.1.5'],
    });
    assert.equal(guard.refuseLiteral('10.20.3.4'), undefined);
    assert.equal(guard.refuseLiteral('[fd00::1]'), undefined);
    assert.equal(guard.refuseLiteral('192.168.1.5'), undefined);
    assert.match(guard.refuseLiteral('10.21.0.1') ?? '', /public/, 'one step outside the range');
    assert.match(guard.refuseLiteral('192.168.1.6') ?? '', /public/);
  });
  for (const bad of ['10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/8', 'https://relay', 'relay_host', '10.0.0.0/x']) {
    it(`refuses "${bad}" at start-up with the option's name`, () => {
      assert.throws(
        () => createDestinationGuard({ allowPrivate: false, allowList: [bad] }),
        /sms\.allowedPrivateDestinations: .* is not/,
      );
    });
  }
});
