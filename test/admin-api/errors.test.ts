/** Bad requests become problem documents, never a 500 or a stack trace; the error catalogue and docs/errors.md agree. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { PROBLEMS } from '../../src/web/problem.js';
import { suiteNeeding, variants } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { API, client, clientToken, startAdminServer } from './support.js';

test('every code of the error catalogue is documented in docs/errors.md with its status, and nothing else is', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z-]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])] as const);
  const documented = new Map(rows);
  assert.equal(rows.length, documented.size, 'a code is documented twice');
  for (const [code, entry] of Object.entries(PROBLEMS))
    assert.equal(documented.get(code), entry.status, `${code} is missing from docs/errors.md or has the wrong status`);
  for (const code of documented.keys())
    assert.ok(code in PROBLEMS, `docs/errors.md documents ${code}, which the catalogue does not have`);
});

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `admin API error handling on ${backend.name}`, () => {
    let server: TestServer;
    let token: string;
    let call: ReturnType<typeof client>;

    before(async () => {
      server = await startAdminServer(backend, { rateLimit: { max: 40, timeWindow: 60_000 } });
      token = await clientToken(server);
      call = client(server, token);
    });
    after(() => server.stop());

    const isProblem = (
      res: { status: number; headers: Headers; text: string; body: Record<string, unknown> },
      status: number,
      code: string,
    ) => {
      assert.equal(res.status, status, res.text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(res.body.code, code);
      assert.equal(res.body.type, `https://stepgate.dev/problems/${code}`);
      assert.equal(res.body.status, status);
      assert.ok(!/\bat .*\.(ts|js):\d+/.test(res.text), 'a stack trace leaked');
    };

    test('malformed JSON → 400 bad-request without echoing parser internals', async () => {
      isProblem(await call('POST', '/users', '{"username": "x",'), 400, 'bad-request');
    });

    test('a wrong content type → 415, also text/plain', async () => {
      isProblem(
        await call('POST', '/users', 'username=x', { 'content-type': 'application/x-www-form-urlencoded' }),
        415,
        'unsupported-media-type',
      );
      isProblem(
        await call('POST', '/users', '{"username":"x"}', { 'content-type': 'text/plain' }),
        415,
        'unsupported-media-type',
      );
    });

    test('a body over 1 MiB → 413; a certificate over 256 KiB → 413', async () => {
      isProblem(
        await call('POST', '/users', { username: 'big', claims: { a: 'x'.repeat(1024 * 1024 + 10) } }),
        413,
        'payload-too-large',
      );
      isProblem(
        await call('POST', '/truststore', { alias: 'big', certificate: 'A'.repeat(300 * 1024) }),
        413,
        'payload-too-large',
      );
    });

    test('a JSON body that is not an object, and a missing body → validation-failed naming the body', async () => {
      const arr = await call('POST', '/users', '[1,2]');
      isProblem(arr, 400, 'validation-failed');
      const missing = await call('POST', '/users');
      isProblem(missing, 400, 'validation-failed');
      assert.equal(missing.body.errors[0].field, 'body');
    });

    test('an action route takes an empty body with or without a JSON content type', async () => {
      const user = await call('POST', '/users', { username: 'empty-body' });
      const res = await fetch(`${server.url}${API}/users/${user.body.id}/unlock`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      assert.equal(res.status, 200);
    });

    test('an unknown route under the API → 404 problem', async () => {
      isProblem(await call('GET', '/nothing-here'), 404, 'not-found');
    });

    test('unauthenticated requests are refused before their body is read', async () => {
      isProblem(await client(server, undefined)('POST', '/users', '{not json'), 401, 'unauthorized');
    });

    test('too many requests → 429 rate-limited with Retry-After', async () => {
      let last: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 45; i++) {
        last = await call('GET', '/me');
        if (last.status === 429) break;
      }
      isProblem(last!, 429, 'rate-limited');
      assert.ok(last!.headers.get('retry-after'));
    });
  });
}
