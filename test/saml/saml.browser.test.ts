/**
 * The SAML login in real Chromium, with the service provider on another site (http://localhost, Stepgate on
 * http://127.0.0.1): node-saml's own page posts the AuthnRequest cross-site, the login cookie survives the redirect
 * to the steps, Stepgate's auto-posting page (a static script under the CSP, no inline script) posts the Response
 * back cross-site, and without JavaScript the Continue button does the same. A second provider in the same browser
 * gets in through the SAML session (Redirect binding) without the steps.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { SAML } from '@node-saml/node-saml';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipChromium } from '../support/chromium.js';
import { freePort } from '../support/server.js';
import { MFA, PASSWORD, type SamlFixture, type ServiceProvider, startSaml } from './support/fixture.js';

/** A minimal SP web app on localhost: /login starts (POST or Redirect binding), /acs shows what node-saml accepted. */
async function spServer(port: number, client: () => SAML, binding: 'post' | 'redirect'): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://localhost:${port}`);
    try {
      if (req.method === 'GET' && url.pathname === '/login') {
        if (binding === 'post') {
          res.writeHead(200, { 'content-type': 'text/html' }).end(await client().getAuthorizeFormAsync(''));
        } else {
          res.writeHead(302, { location: await client().getAuthorizeUrlAsync('', undefined, {}) }).end();
        }
        return;
      }
      if (req.method === 'POST' && url.pathname === '/acs') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const fields = Object.fromEntries(new URLSearchParams(body));
        const { profile } = await client().validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! });
        const context = /<saml:AuthnContextClassRef>([^<]+)</.exec(
          Buffer.from(fields.SAMLResponse!, 'base64').toString('utf8'),
        )?.[1];
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<p id="name-id">${profile?.nameID}</p><p id="context">${context}</p>`);
        return;
      }
      res.writeHead(404).end();
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`SP refused: ${(e as Error).message}`);
    }
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

describe('SAML login in Chromium across sites', { skip: skipChromium }, () => {
  let f: SamlFixture;
  let chromium: Browser;
  const servers: Server[] = [];
  before(async () => {
    f = await startSaml();
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    for (const s of servers) s.close();
    await f?.stop();
  });

  /** An SP at http://localhost:<port> whose one node-saml instance keeps its request ids. */
  async function provider(
    name: string,
    binding: 'post' | 'redirect',
  ): Promise<{ sp: ServiceProvider; origin: string }> {
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    const sp = await f.addServiceProvider(name, { assertionConsumerUrls: [`${origin}/acs`] });
    const client = sp.client({
      callbackUrl: `${origin}/acs`,
      authnRequestBinding: binding === 'post' ? 'HTTP-POST' : undefined,
    });
    servers.push(await spServer(port, () => client, binding));
    return { sp, origin };
  }

  async function passSteps(page: Page, username: string) {
    await page.waitForSelector('input[name=password]');
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=code]');
    await page.fill('input[name=code]', f.sms.lastCode());
    await page.click('#sms-otp-verify button[type=submit], form[id=sms-otp-verify] button');
  }

  test('HTTP-POST from another site, both steps, the Response posted back by the static script; no CSP errors', async () => {
    const user = await f.addUser('chromium-saml');
    const { origin } = await provider('chromium-post', 'post');
    const context = await chromium.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && m.text().includes('Content Security Policy')) problems.push(m.text());
    });
    await page.goto(`${origin}/login`);
    // node-saml's page posts itself to Stepgate, which sends the browser on to the steps
    await page.waitForURL((u) => u.toString().startsWith(`${f.url}/interaction/`));
    await passSteps(page, 'chromium-saml');
    await page.waitForURL(`${origin}/acs`);
    assert.equal(await page.textContent('#name-id'), user.mobile);
    assert.equal(await page.textContent('#context'), MFA);
    assert.deepEqual(problems, []);

    // the same browser, another provider, Redirect binding: from the SAML session, no password page
    const second = await provider('chromium-sso', 'redirect');
    const sent = f.sms.messages.length;
    await page.goto(`${second.origin}/login`);
    await page.waitForURL(`${second.origin}/acs`);
    assert.equal(await page.textContent('#name-id'), user.mobile);
    assert.equal(f.sms.messages.length, sent);
    await context.close();
  });

  test('without JavaScript: the Redirect binding, the steps, and the Continue button posts the Response', async () => {
    const user = await f.addUser('chromium-nojs');
    const { origin } = await provider('chromium-nojs', 'redirect');
    const context = await chromium.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${origin}/login`);
    await passSteps(page, 'chromium-nojs');
    await page.waitForSelector('form#saml-post button[type=submit]');
    assert.match((await page.textContent('main')) ?? '', /press Continue/);
    await page.click('form#saml-post button[type=submit]');
    await page.waitForURL(`${origin}/acs`);
    assert.equal(await page.textContent('#name-id'), user.mobile);
    await context.close();
  });
});
