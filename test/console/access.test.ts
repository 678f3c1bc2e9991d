/** Who gets into the console: a user without the admin role signs in through Stepgate and is told so; nothing leaks. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createUser } from '../../src/identity/users.js';
import type { TestServer } from '../support/server.js';
import { ensureConsoleBuilt, launchBrowser, screenshot, signIn, skipReason, startConsoleServer } from './support.js';

const skip = skipReason();

describe('console access', { skip }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ensureConsoleBuilt();
    server = await startConsoleServer();
    await createUser(server.services.db, server.services.hasher, {
      username: 'clerk',
      password: 'clerk password 123',
      roles: [],
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a user without the admin role sees "You need the admin role to use the console"', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const forbidden: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/admin/v1/')) forbidden.push(r.status());
    });
    await signIn(page, server.url, 'clerk', 'clerk password 123');
    await page.getByRole('heading', { name: 'You need the admin role to use the console' }).waitFor();
    assert.ok(forbidden.length > 0 && forbidden.every((s) => s === 403), `admin API answers: ${forbidden.join(', ')}`);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
    await screenshot(page, 'no-admin-role');
    await context.close();
  });

  test('the console is served with a strict CSP, client routes fall back to index.html, config.json names the client', async () => {
    const index = await fetch(`${server.url}/console/users/123`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await index.text();
    assert.match(html, /<script type="module" crossorigin src="\/console\/assets\//);
    assert.doesNotMatch(html, /<script>(?!<)/, 'no inline script');
    assert.equal((await fetch(`${server.url}/console/assets/missing.js`)).status, 404);
    const config = (await (await fetch(`${server.url}/console/config.json`)).json()) as Record<string, string>;
    assert.deepEqual(config, {
      issuer: server.url,
      clientId: 'stepgate-console',
      redirectUri: `${server.url}/console/callback`,
      scope: 'openid stepgate:admin',
    });
  });

  test('an unknown path: a browser asking for HTML gets a page, a program gets a problem; both 404', async () => {
    const browser = await fetch(`${server.url}/no/such/page`, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    assert.equal(browser.status, 404);
    assert.match(browser.headers.get('content-type') ?? '', /^text\/html/);
    const html = await browser.text();
    assert.match(html, /<h1>Page not found<\/h1>/);
    assert.match(html, /data-message-id="web.not-found"/);
    const program = await fetch(`${server.url}/no/such/page`, { headers: { accept: 'application/json' } });
    assert.equal(program.status, 404);
    assert.match(program.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await program.json()) as { type: string; title: string; detail: string };
    assert.equal(problem.type, 'https://stepgate.dev/problems/not-found');
    assert.equal(problem.title, 'Not found');
    // the console's own surface: a POST to a console path is a problem too, not Fastify's bare JSON
    const post = await fetch(`${server.url}/console/users`, { method: 'POST' });
    assert.equal(post.status, 404);
    assert.match(post.headers.get('content-type') ?? '', /^application\/problem\+json/);
  });

  test('an API call with no token is a 401; the console application is public, PKCE only, with the admin scope', async () => {
    assert.equal((await fetch(`${server.url}/api/admin/v1/me`)).status, 401);
    const app = await server.services.applications.getByClientId('stepgate-console');
    assert.equal(app?.clientType, 'public');
    assert.deepEqual(app?.extraScopes, ['stepgate:admin']);
    assert.deepEqual(app?.redirectUris, [`${server.url}/console/callback`]);
  });
});
