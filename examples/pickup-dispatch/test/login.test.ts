import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createPickupDispatch, SESSION_COOKIE } from '../src/app.js';
import { TestBrowser } from './fixtures/browser.js';
import { ACCOUNT_ID, ACR, freePort, startTestProvider, type TestProvider } from './fixtures/test-provider.js';

interface Sample {
  app: FastifyInstance;
  base: string;
}

async function startSample(issuer: string, client: { clientId: string; clientSecret?: string }): Promise<Sample> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = await createPickupDispatch({ issuer, baseUrl: base, ...client });
  await app.listen({ port, host: '127.0.0.1' });
  return { app, base };
}

function clientFor(sampleBase: string, clientId: string, clientSecret?: string) {
  return {
    client_id: clientId,
    ...(clientSecret === undefined
      ? { token_endpoint_auth_method: 'none' as const }
      : { client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_basic' as const }),
    redirect_uris: [`${sampleBase}/oauth2client`],
    post_logout_redirect_uris: [`${sampleBase}/`],
  };
}

/** Clicks Login and stops at the redirect to the identity server, returning the authorization request. */
async function clickLogin(browser: TestBrowser, sample: Sample): Promise<URL> {
  const res = await browser.request(`${sample.base}/login`, { method: 'POST' });
  assert.equal(res.status, 303);
  return new URL(res.headers.get('location') ?? '');
}

describe('Pickup Dispatch against a real OpenID provider', () => {
  let provider: TestProvider;
  let sample: Sample;
  let publicSample: Sample;

  before(async () => {
    const samplePort = await freePort();
    const publicPort = await freePort();
    const sampleBase = `http://127.0.0.1:${samplePort}`;
    const publicBase = `http://127.0.0.1:${publicPort}`;
    provider = await startTestProvider({
      clients: [clientFor(sampleBase, 'pickup-dispatch', 'pickup-secret'), clientFor(publicBase, 'pickup-public')],
    });
    const app = await createPickupDispatch({
      issuer: provider.issuer,
      clientId: 'pickup-dispatch',
      clientSecret: 'pickup-secret',
      baseUrl: sampleBase,
    });
    await app.listen({ port: samplePort, host: '127.0.0.1' });
    sample = { app, base: sampleBase };
    const publicApp = await createPickupDispatch({
      issuer: provider.issuer,
      clientId: 'pickup-public',
      baseUrl: publicBase,
    });
    await publicApp.listen({ port: publicPort, host: '127.0.0.1' });
    publicSample = { app: publicApp, base: publicBase };
  });

  after(async () => {
    await sample.app.close();
    await publicSample.app.close();
    await provider.close();
  });

  test('the start page shows the sample title and a Login button', async () => {
    const browser = new TestBrowser();
    const res = await browser.request(`${sample.base}/`);
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /PICKUP DISPATCH <span class="sub-title">Sample Application<\/span>/);
    assert.match(page, /<form method="post" action="\/login"><button type="submit"[^>]*>Login<\/button><\/form>/);
  });

  test('Login sends an authorization code request with PKCE S256, state and nonce to the provider', async () => {
    const browser = new TestBrowser();
    const auth = await clickLogin(browser, sample);
    assert.equal(auth.origin, provider.issuer);
    assert.equal(auth.searchParams.get('response_type'), 'code');
    assert.equal(auth.searchParams.get('client_id'), 'pickup-dispatch');
    assert.equal(auth.searchParams.get('redirect_uri'), `${sample.base}/oauth2client`);
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    assert.match(auth.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((auth.searchParams.get('state') ?? '').length >= 20);
    assert.ok((auth.searchParams.get('nonce') ?? '').length >= 20);
    assert.deepEqual(auth.searchParams.get('scope')?.split(' ').sort(), ['email', 'openid', 'phone', 'profile']);
    assert.equal(auth.searchParams.get('client_secret'), null);
    const session = browser.cookie(sample.base, SESSION_COOKIE);
    assert.ok(session !== undefined, 'a session cookie holds the pending login');
    assert.match(session.attributes, /HttpOnly/i);
    assert.match(session.attributes, /SameSite=Lax/i);
  });

  test('a full login lands on the profile page with subject, User Details by display name and the ID token amr/acr', async () => {
    const browser = new TestBrowser();
    const before = browser.cookie(sample.base, SESSION_COOKIE);
    const { response, url } = await browser.go(`${sample.base}/login`, { method: 'POST' });
    assert.equal(url, `${sample.base}/home`);
    assert.equal(response.status, 200);
    assert.ok(
      browser.history.some((v) => v.url.startsWith(`${sample.base}/oauth2client?`) && v.url.includes('code=')),
      'the provider redirected back to /oauth2client with a code',
    );
    assert.ok(browser.history.some((v) => v.url.startsWith(`${provider.issuer}/interaction/`)));
    assert.notEqual(browser.cookie(sample.base, SESSION_COOKIE)?.value, before?.value);
    const page = await response.text();
    // navbar and profile heading carry the subject (the mobile number, as in the seed)
    assert.match(page, /<a class="brand" href="\/">PICKUP DISPATCH<\/a>/);
    assert.match(page, /Vehicle Booking Application/);
    assert.ok(page.includes(`<h3 class="subject-heading">${ACCOUNT_ID}</h3>`));
    assert.match(page, /<caption>User Details<\/caption>/);
    // userinfo claims, shown by display name
    assert.match(page, /<th scope="row" title="phone_number">Mobile<\/th><td>\+94771234567<\/td>/);
    assert.match(page, /<th scope="row" title="email">Email<\/th><td>admin@pickup\.example<\/td>/);
    assert.match(page, /<th scope="row" title="given_name">First Name<\/th><td>Pickup<\/td>/);
    assert.match(page, /<th scope="row" title="family_name">Last Name<\/th><td>Admin<\/td>/);
    assert.match(page, /<th scope="row" title="preferred_username">Username<\/th><td>admin<\/td>/);
    // protocol claims are not user details
    assert.doesNotMatch(page, /title="nonce"/);
    // ID token panel: amr and acr from the ID token itself
    assert.match(page, /<dd id="amr">pwd, sms<\/dd>/);
    assert.ok(page.includes(`<dd id="acr">${ACR}</dd>`));
    assert.match(page, /&quot;amr&quot;: \[\s*&quot;pwd&quot;,\s*&quot;sms&quot;\s*\]/);
    assert.match(page, /&quot;alg&quot;: &quot;RS256&quot;/);
    // the dummy booking screen
    assert.match(page, /<label for="driver">Driver<\/label>/);
    assert.match(page, /Sample application functionalities are added for display purposes only/);
    // the start page now sends the logged-in user to the profile
    const start = await browser.request(`${sample.base}/`);
    assert.equal(start.status, 303);
    assert.equal(start.headers.get('location'), '/home');
  });

  test('a public client (no secret) logs in with PKCE alone', async () => {
    const browser = new TestBrowser();
    const { response, url } = await browser.go(`${publicSample.base}/login`, { method: 'POST' });
    assert.equal(url, `${publicSample.base}/home`);
    assert.ok((await response.text()).includes(`<h3 class="subject-heading">${ACCOUNT_ID}</h3>`));
  });

  test('Logout goes through the end_session_endpoint with id_token_hint and comes back to the start page', async () => {
    const browser = new TestBrowser();
    await browser.go(`${sample.base}/login`, { method: 'POST' });
    const logout = await browser.request(`${sample.base}/logout`, { method: 'POST' });
    assert.equal(logout.status, 303);
    const endSession = new URL(logout.headers.get('location') ?? '');
    assert.equal(endSession.origin, provider.issuer);
    assert.equal(endSession.pathname, '/session/end');
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${sample.base}/`);
    assert.equal(endSession.searchParams.get('id_token_hint')?.split('.').length, 3);
    assert.equal(browser.cookie(sample.base, SESSION_COOKIE), undefined, 'the local session cookie is cleared');
    // The provider asks for confirmation; confirm like a user would.
    const { response: confirmPage, url: confirmUrl } = await browser.follow(logout, `${sample.base}/logout`);
    const html = await confirmPage.text();
    const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
    const xsrf = html.match(/name="xsrf" value="([^"]+)"/)?.[1];
    assert.ok(action !== undefined && xsrf !== undefined, 'the provider shows its logout confirmation form');
    const { response: back, url } = await browser.go(new URL(action, confirmUrl).href, {
      method: 'POST',
      form: { xsrf, logout: 'yes' },
    });
    assert.equal(url, `${sample.base}/`);
    assert.match(await back.text(), /Sample Application/);
    const home = await browser.request(`${sample.base}/home`);
    assert.equal(home.status, 303);
    assert.equal(home.headers.get('location'), '/');
    // The provider session is gone too: logging in again needs a new interaction.
    const again = browser.history.length;
    await browser.go(`${sample.base}/login`, { method: 'POST' });
    assert.ok(browser.history.slice(again).some((v) => v.url.startsWith(`${provider.issuer}/interaction/`)));
  });

  test('a login cancelled at the provider shows a clear page with the error, escaped, and a way back', async () => {
    const browser = new TestBrowser();
    provider.nextInteraction = 'deny';
    try {
      const { response, url } = await browser.go(`${sample.base}/login`, { method: 'POST' });
      assert.ok(url.startsWith(`${sample.base}/oauth2client?error=access_denied`));
      assert.equal(response.status, 400);
      const page = await response.text();
      assert.match(page, /<h1 id="problem-title">Login cancelled<\/h1>/);
      assert.match(page, /<code>access_denied<\/code>/);
      assert.ok(page.includes('The user &lt;b&gt;cancelled&lt;/b&gt; the login'));
      assert.match(page, /<a class="button button-primary" href="\/login">Try again<\/a>/);
      assert.match(page, /href="\/">Back to the start page/);
    } finally {
      provider.nextInteraction = 'login';
    }
    const home = await browser.request(`${sample.base}/home`);
    assert.equal(home.status, 303, 'not logged in');
  });

  test('an error response with the right state is explained; markup in it is escaped', async () => {
    const browser = new TestBrowser();
    const state = (await clickLogin(browser, sample)).searchParams.get('state') ?? '';
    const callback = new URL(`${sample.base}/oauth2client`);
    callback.search = new URLSearchParams({
      error: 'unauthorized_client',
      error_description: '<script>alert(1)</script>',
      state,
    }).toString();
    const res = await browser.request(callback.href);
    assert.equal(res.status, 400);
    const page = await res.text();
    assert.match(page, /Login failed/);
    assert.match(page, /not allowed to log users in this way/);
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!page.includes('<script>alert'));
  });

  test('a callback whose state does not match is rejected, and the pending login cannot be reused', async () => {
    const browser = new TestBrowser();
    const state = (await clickLogin(browser, sample)).searchParams.get('state') ?? '';
    const forged = await browser.request(`${sample.base}/oauth2client?code=attacker-code&state=not-${state}`);
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /Login response rejected/);
    const replay = await browser.request(`${sample.base}/oauth2client?code=x&state=${state}`);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /No login in progress/);
    assert.equal((await browser.request(`${sample.base}/home`)).status, 303);
  });

  test('a callback without a login in progress (no session cookie) is rejected', async () => {
    const res = await new TestBrowser().request(`${sample.base}/oauth2client?code=abc&state=xyz`);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /No login in progress/);
  });

  test('a code the token endpoint refuses shows the token exchange failure', async () => {
    const browser = new TestBrowser();
    const state = (await clickLogin(browser, sample)).searchParams.get('state') ?? '';
    const res = await browser.request(
      `${sample.base}/oauth2client?code=forged-code&state=${state}&iss=${encodeURIComponent(provider.issuer)}`,
    );
    assert.equal(res.status, 502);
    const page = await res.text();
    assert.match(page, /<code>invalid_grant<\/code>/);
    assert.match(page, /authorization code was invalid, expired or already used/);
    assert.equal((await browser.request(`${sample.base}/home`)).status, 303);
  });
});

describe('Pickup Dispatch when the identity server is down', () => {
  test('Login shows "cannot be reached" with a retry link (503, no internals), and retry works once it is up', async () => {
    const idpPort = await freePort();
    const issuer = `http://127.0.0.1:${idpPort}`;
    const samplePort = await freePort();
    const base = `http://127.0.0.1:${samplePort}`;
    const app = await createPickupDispatch({ issuer, clientId: 'pickup-dispatch', clientSecret: 's', baseUrl: base });
    await app.listen({ port: samplePort, host: '127.0.0.1' });
    let provider: TestProvider | undefined;
    try {
      const browser = new TestBrowser();
      const res = await browser.request(`${base}/login`, { method: 'POST' });
      assert.equal(res.status, 503);
      const page = await res.text();
      assert.ok(page.includes(`The identity server at ${issuer} cannot be reached`));
      assert.match(page, /could not connect to the identity server\. It may not be running yet/);
      assert.match(page, /<a class="button button-primary" href="\/login">Try again<\/a>/);
      assert.doesNotMatch(page, /ECONNREFUSED|fetch failed|at .*\.(ts|js):\d+/);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);

      // The identity server comes up: Try again discovers it this time.
      provider = await startTestProvider({
        port: idpPort,
        clients: [
          {
            client_id: 'pickup-dispatch',
            client_secret: 's',
            redirect_uris: [`${base}/oauth2client`],
            post_logout_redirect_uris: [`${base}/`],
          },
        ],
      });
      const { url } = await browser.go(`${base}/login`);
      assert.equal(url, `${base}/home`);
    } finally {
      await app.close();
      await provider?.close();
    }
  });

  test('a server that answers discovery with something else is reported too, not as a 500', async () => {
    const port = await freePort();
    const notAnIdp = await startSample(`http://127.0.0.1:${port}`, { clientId: 'x' });
    const samplePort = await freePort();
    // Point a second sample at the first one: it answers 404 to /.well-known/openid-configuration.
    const app = await createPickupDispatch({
      issuer: notAnIdp.base,
      clientId: 'x',
      baseUrl: `http://127.0.0.1:${samplePort}`,
    });
    try {
      const res = await app.inject({ method: 'POST', url: '/login', headers: { host: `127.0.0.1:${samplePort}` } });
      assert.equal(res.statusCode, 503);
      assert.ok(res.body.includes(`The identity server at ${notAnIdp.base} cannot be reached`));
      assert.match(res.body, /not with an OpenID Connect configuration/);
    } finally {
      await app.close();
      await notAnIdp.app.close();
    }
  });
});

describe('createPickupDispatch options', () => {
  test('refuses a plain-http issuer that is not on this machine', async () => {
    await assert.rejects(
      createPickupDispatch({ issuer: 'http://idp.example.com', clientId: 'x', baseUrl: 'http://localhost:8080' }),
      /must use https/,
    );
  });
});
