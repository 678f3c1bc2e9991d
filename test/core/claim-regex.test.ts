/**
 * Admin-set claim formats cannot stall the server (ReDoS): they run on RE2 semantics through the real admin API, a
 * pattern that only a backtracking engine can run is refused when it is saved, and a catastrophic pattern for
 * backtracking engines answers at once and correctly.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { patternMatches, patternProblem } from '../../src/identity/safe-regex.js';
import { client, clientToken, startAdminServer } from '../admin-api/support.js';
import { forEachBackend } from '../support/backends.js';
import type { TestServer } from '../support/server.js';

const enc = encodeURIComponent;
const EVIL = '^(a|a)+$';
const NICK = 'http://wso2.org/claims/nickname';
// on a backtracking engine `^(a|a)+$` against 30 a's and a b takes 2^30 steps: tens of seconds; RE2 a few microseconds
const HOSTILE = `${'a'.repeat(30)}b`;

forEachBackend('claim formats on a linear-time engine', (backend) => {
  let server: TestServer;
  let call: ReturnType<typeof client>;
  let userId: string;

  before(async () => {
    server = await startAdminServer(backend);
    call = client(server, await clientToken(server));
    const added = await call('POST', '/claims', { uri: NICK, displayName: 'Nickname', mappedAttribute: 'nickName' });
    assert.equal(added.status, 201, added.text);
    const user = await call('POST', '/users', { username: 'redos-target' });
    assert.equal(user.status, 201, user.text);
    userId = user.body.id;
  });
  after(() => server.stop());

  test('patterns that need backtracking (backreference, lookahead, lookbehind) are refused at save, naming the field', async () => {
    for (const regex of ['^(a+)\\1$', '^(?=a)a+$', '^(?!b)a+$', '(?<=a)b']) {
      const res = await call('PUT', `/claims/${enc(NICK)}`, { regex });
      assert.equal(res.status, 400, `${regex}: ${res.text}`);
      assert.equal(res.body.code, 'validation-failed');
      assert.equal(res.body.errors[0].field, 'regex');
      assert.match(res.body.errors[0].message, /RE2/);
    }
    assert.equal((await call('GET', `/claims/${enc(NICK)}`)).body.regex ?? null, null, 'a refused pattern was stored');
  });

  test('the evil pattern is saved and answers promptly and correctly for a hostile value and a long valid one', async () => {
    const saved = await call('PUT', `/claims/${enc(NICK)}`, { regex: EVIL });
    assert.equal(saved.status, 200, saved.text);
    const started = Date.now();
    const hostile = await call('PUT', `/users/${userId}`, { claims: { [NICK]: HOSTILE } });
    const took = Date.now() - started;
    assert.equal(hostile.status, 400, hostile.text);
    assert.equal(hostile.body.errors[0].field, NICK);
    assert.match(hostile.body.errors[0].message, /does not match the required format/);
    // generous: a backtracking engine needs tens of seconds for this value, RE2 answers within one request's time
    assert.ok(took < 3000, `the hostile value took ${took} ms`);
    // the server still answers other requests: it was never stalled
    assert.equal((await call('GET', `/users/${userId}`)).status, 200);

    const long = 'a'.repeat(4000);
    const valid = await call('PUT', `/users/${userId}`, { claims: { [NICK]: long } });
    assert.equal(valid.status, 200, valid.text);
    assert.equal(valid.body.claims[NICK], long);
    const nearMiss = await call('PUT', `/users/${userId}`, { claims: { [NICK]: `${'a'.repeat(3999)}b` } });
    assert.equal(nearMiss.status, 400, 'one wrong character at the end must not match');
  });

  test('the setup file path refuses a backtracking-only pattern too', async () => {
    const { applySetup } = await import('../../src/setup/apply.js');
    await assert.rejects(
      applySetup(
        server.services,
        { setup: { claims: [{ uri: NICK, regex: '^(x)\\1$' }] }, lineOf: () => 3 },
        'setup.yaml',
      ),
      (err: Error & { problems?: string[] }) => /regex/.test(String(err.problems ?? err.message)),
    );
  });
});

test('RE2 semantics match RegExp.test for the built-in formats (search, not whole-string, unless anchored)', () => {
  assert.equal(patternMatches('^\\+?[0-9 ()-]{4,20}$', '+94 77 123 4567'), true);
  assert.equal(patternMatches('^\\+?[0-9 ()-]{4,20}$', '+94 77 123 4567x'), false);
  assert.equal(patternMatches('^[^\\s@]+@[^\\s@]+$', 'ada@example.com'), true);
  assert.equal(patternMatches('b', 'abc'), true, 'an unanchored pattern finds a match anywhere, as RegExp.test does');
  assert.equal(patternMatches('^\\p{L}+$', 'Ådné'), true);
  assert.equal(patternMatches('(a)\\1', 'aa'), false, 'a pattern that cannot be compiled lets nothing through');
  assert.equal(patternProblem('^(a|a)+$'), undefined);
  assert.match(patternProblem('(a)\\1') ?? '', /backreferences/);
});
