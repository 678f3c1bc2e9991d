/**
 * helmet's security headers (computed once at start in web/app.ts) reach every answer of a node that passed the host
 * check: the login pages, Fastify's own answers, and oidc-provider's, which it writes to the raw response itself.
 * oidc-provider adds the hash of its logout page's script to the policy it finds, so that page shows the headers were
 * set before oidc-provider ran. Real HTTP against a started Stepgate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startStepgate, type TestServer } from '../support/server.js';

const HELMET = [
  'content-security-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

describe('security headers on every surface', () => {
  let server: TestServer;
  before(async () => {
    server = await startStepgate();
  });
  after(() => server.stop());

  const headersOf = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(server.url + path, { redirect: 'manual', ...init });
    await res.arrayBuffer();
    return res.headers;
  };

  test("oidc-provider's answers carry the same headers as the login pages", async () => {
    const page = await headersOf('/interaction/no-such-login');
    for (const name of HELMET) assert.ok(page.get(name), `the login page has ${name}`);
    assert.match(page.get('content-security-policy')!, /default-src 'self'.*style-src 'self'/);
    const answers = {
      discovery: await headersOf('/.well-known/openid-configuration'),
      jwks: await headersOf('/oidc/jwks'),
      'token error': await headersOf('/oidc/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=authorization_code&code=nope',
      }),
      'authorization error page': await headersOf('/oidc/auth?client_id=nobody'),
      'unknown path': await headersOf('/no/such/path'),
    };
    for (const [what, headers] of Object.entries(answers))
      for (const name of HELMET) assert.equal(headers.get(name), page.get(name), `${what}: ${name}`);
  });

  test("the logout page's policy is ours with oidc-provider's script hash added", async () => {
    const ours = (await headersOf('/interaction/no-such-login')).get('content-security-policy')!;
    const logout = (await headersOf('/oidc/session/end')).get('content-security-policy')!;
    assert.notEqual(logout, ours);
    assert.match(logout, /script-src 'self' 'sha256-[^']+'/);
    assert.equal(logout.replace(/ 'sha256-[^']+'/, ''), ours);
  });

  test('a request for another host is refused before any of them is set', async () => {
    const { request } = await import('node:http');
    const url = new URL(server.url);
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/.well-known/openid-configuration',
          headers: { host: 'evil.example' },
        },
        (res) => {
          res.resume();
          assert.equal(res.statusCode, 421);
          resolve(res.headers);
        },
      );
      req.on('error', reject);
      req.end();
    });
    for (const name of HELMET) assert.equal(headers[name], undefined, name);
  });
});
