/**
 * The login pages know no protocol: a login started by another front door (here a stand-in for SAML, which answers
 * with a page of its own) runs the same steps over real HTTP, the door decides who holds the login, takes the
 * finished login once, and a late double submit gets "this login is already complete" — never a second answer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { LoginCompletion, LoginRefusal } from '../../src/authn/front-door.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { createFrontDoors, type FrontDoor } from '../../src/web/front-doors.js';
import { messageCatalogue } from '../../src/web/pages/messages.js';
import { loginPages } from '../../src/web/pages/plugin.js';
import { createPageRenderer } from '../../src/web/pages/render.js';
import { startStepgate, type TestServer } from '../support/server.js';

const PASSWORD = 'correct horse battery';

let server: TestServer;
let pages: FastifyInstance;
let base: string;
let applicationId: string;
const completed: LoginCompletion[] = [];
const refused: LoginRefusal[] = [];

/** A front door that answers with its own page, and holds a login when the browser sends `door=<login id>`. */
const pageDoor: FrontDoor = {
  protocol: 'saml',
  async holds(req, _res, loginId) {
    return String(req.headers.cookie ?? '').includes(`door=${loginId}`);
  },
  async complete(_req, _res, completion) {
    completed.push(completion);
    return { html: `<p>answer ${completed.length} for ${completion.accountId}</p>` };
  },
  async refuse(_req, _res, refusal) {
    refused.push(refusal);
    return { html: `<p>refused: ${refusal.reason}</p>`, status: 200 };
  },
};

before(async () => {
  server = await startStepgate({ overrides: { argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 } } });
  const s = server.services;
  await createUser(s.db, s.hasher, { username: 'door-user', password: PASSWORD });
  const created = await s.applications.create({
    name: 'Door app',
    redirectUris: ['http://127.0.0.1:1/callback'],
    subjectClaimUri: ClaimUri.username,
    steps: [{ options: [{ authenticator: 'password' }] }],
  });
  applicationId = created.application.id;
  const frontDoors = createFrontDoors();
  frontDoors.add(pageDoor);
  pages = Fastify();
  await pages.register(loginPages, {
    engine: s.engine,
    frontDoors,
    applications: s.applications,
    audit: s.audit,
    keyring: s.keyring,
    renderer: createPageRenderer(messageCatalogue(s.registry.all())),
    issuer: server.url,
    rateLimit: { postsPerMinute: 1000 },
  });
  base = await pages.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await pages.close();
  await server.stop();
});

async function start(loginId: string) {
  assert.equal(
    await server.services.engine.start({ loginId, protocol: 'saml', applicationId, requirements: {} }),
    true,
  );
  const page = await fetch(`${base}/interaction/${loginId}`, { headers: { cookie: `door=${loginId}` } });
  assert.equal(page.status, 200);
  const html = await page.text();
  return { csrf: /name="csrf" value="([^"]+)"/.exec(html)![1]!, html };
}

function submit(loginId: string, fields: Record<string, string>, cookie = `door=${loginId}`) {
  return fetch(`${base}/interaction/${loginId}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

test('a browser that does not hold the login gets no page of it', async () => {
  await server.services.engine.start({ loginId: 'door-stranger', protocol: 'saml', applicationId, requirements: {} });
  const stranger = await fetch(`${base}/interaction/door-stranger`, { headers: { cookie: 'door=someone-else' } });
  assert.equal(stranger.status, 410);
  const holder = await fetch(`${base}/interaction/door-stranger`, { headers: { cookie: 'door=door-stranger' } });
  assert.equal(holder.status, 200);
});

test('the steps run the same; the door takes the finished login once, and a late double submit gets a clear page', async () => {
  const { csrf, html } = await start('door-login');
  assert.match(html, /name="username"/);
  const wrong = await submit('door-login', { csrf, step: '0', username: 'door-user', password: 'wrong' });
  assert.equal(wrong.status, 401);
  const fields = { csrf, step: '0', username: 'door-user', password: PASSWORD };
  const done = await submit('door-login', fields);
  assert.equal(done.status, 200);
  assert.equal(done.headers.get('cache-control'), 'no-store');
  assert.match(await done.text(), /answer 1 for /);
  assert.equal(completed.length, 1);
  assert.deepEqual(completed[0]!.amr, ['pwd']);
  assert.equal(completed[0]!.applicationId, applicationId);
  assert.ok(Math.abs(completed[0]!.authTime - Date.now()) < 60_000);
  const late = await submit('door-login', fields);
  assert.equal(late.status, 409);
  assert.match(await late.text(), /This login is already complete/);
  assert.equal(completed.length, 1, 'a late double submit was answered a second time');
});

test('Cancel goes through the door (cancelled), and the login then ends for later submissions', async () => {
  const { csrf } = await start('door-cancel');
  const cancelled = await fetch(`${base}/interaction/door-cancel/abort`, { headers: { cookie: 'door=door-cancel' } });
  assert.equal(cancelled.status, 200);
  assert.match(await cancelled.text(), /refused: cancelled/);
  assert.deepEqual(
    refused.map((r) => [r.loginId, r.reason]),
    [['door-cancel', 'cancelled']],
  );
  const after = await submit('door-cancel', { csrf, step: '0', username: 'door-user', password: PASSWORD });
  assert.equal(after.status, 403);
  assert.equal(completed.filter((c) => c.loginId === 'door-cancel').length, 0);
});
