/**
 * The JSON body limits on a surface outside the admin API and SCIM: the app-wide parser refuses a body nested
 * deeper than the limit and a number out of range with a 400 before any handler walks it (here the dev SMS mock
 * provider, mounted on a real Stepgate).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { createDevSmsStore, devSmsPlugin } from '../../src/web/dev-sms/plugin.js';
import { startStepgate, type TestServer } from '../support/server.js';

let server: TestServer;
before(async () => {
  server = await startStepgate({
    plugins: [
      {
        plugin: devSmsPlugin as unknown as FastifyPluginAsync<Record<string, unknown>>,
        options: { prefix: '/dev/sms', apiKey: 'k', apiSecret: 's', store: createDevSmsStore() },
      },
    ],
  });
});
after(() => server.stop());

const post = (body: string) =>
  fetch(`${server.url}/dev/sms/vonage/sms/json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

test('a JSON body nested too deep or with a number out of range is a 400 on every surface, a normal one is read', async () => {
  const deep = await post(`{"api_key":"k","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
  assert.equal(deep.status, 400);
  assert.match(await deep.text(), /nests deeper than 32 levels/);
  const big = await post('{"api_key":"k","x":1e999}');
  assert.equal(big.status, 400);
  assert.match(await big.text(), /body\.x/);
  // a near miss: the same request within the limits reaches the handler (which judges the credentials)
  const fine = await post('{"api_key":"k","api_secret":"s","from":"X","to":"94770000001","text":"hi","x":[[1]]}');
  const answer = await fine.text();
  assert.equal(fine.status, 200, answer);
  assert.equal((JSON.parse(answer) as { messages: { status: string }[] }).messages[0]?.status, '0');
});
