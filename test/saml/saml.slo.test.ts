/**
 * Single Logout, front-channel: a logout at one service provider ends the Stepgate SAML session, sends a
 * LogoutRequest to every other provider of the session that has Single Logout (HTTP-Redirect or HTTP-POST), and
 * answers the first provider with a LogoutResponse; node-saml checks every message on the provider side.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SAML } from '@node-saml/node-saml';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import {
  decoded,
  postedForm,
  type SamlFixture,
  type ServiceProvider,
  startSaml,
  TWO_STEPS,
} from './support/fixture.js';

for (const { name, backend, redis, skip } of variants({ redis: true })) {
  suiteNeeding(skip, `SAML Single Logout on ${name}`, () => {
    let f: SamlFixture;
    before(async () => {
      f = await startSaml({ backend, redis });
    });
    after(() => f.stop());

    /** Logs the browser in to `first` through both steps and to the others from the session; returns their profiles. */
    async function loggedIn(browser: Browser, username: string, providers: { sp: ServiceProvider; client: SAML }[]) {
      const profiles = [];
      for (const [i, { client }] of providers.entries()) {
        const start = await browser.go(await client.getAuthorizeUrlAsync('', undefined, {}));
        const page = i === 0 ? await f.passSteps(browser, start, username) : start;
        const form = postedForm(page);
        profiles.push((await client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! })).profile!);
      }
      return profiles;
    }

    const at = (prefix: string) => (url: string) => url.startsWith(prefix);
    const query = (url: string) => {
      const u = new URL(url);
      return { container: Object.fromEntries(u.searchParams), raw: u.search.slice(1) };
    };

    test('HTTP-Redirect: A logs out → B is asked (signed LogoutRequest) → B answers → A gets a LogoutResponse; the session is gone', async () => {
      await f.addUser('slo-user');
      const a = await f.addServiceProvider('slo-a', { validateRequestSignatures: true });
      const b = await f.addServiceProvider('slo-b', { validateRequestSignatures: true });
      const c = await f.addServiceProvider('slo-c', { singleLogout: { enabled: false } });
      const ca = a.client();
      const cb = b.client();
      const cc = c.client();
      const browser = new Browser();
      const [pa, pb] = await loggedIn(browser, 'slo-user', [
        { sp: a, client: ca },
        { sp: b, client: cb },
        { sp: c, client: cc },
      ]);

      const toB = await browser.go(await ca.getLogoutUrlAsync(pa!, 'after-logout', {}), {}, at(b.slo));
      assert.ok(toB.url.startsWith(b.slo), `expected B's SLO URL, got ${toB.url}`);
      const askB = query(toB.url);
      assert.match(askB.raw, /Signature=/);
      const request = await cb.validateRedirectAsync(askB.container, askB.raw);
      assert.equal(request.loggedOut, true);
      assert.equal(request.profile?.nameID, pb!.nameID);
      assert.equal(request.profile?.sessionIndex, pb!.sessionIndex);

      const back = await cb.getLogoutResponseUrlAsync(request.profile!, askB.container.RelayState!, {}, true);
      const toA = await browser.go(back, {}, at(a.slo));
      assert.ok(toA.url.startsWith(a.slo), `expected A's SLO URL, got ${toA.url}`);
      const answerA = query(toA.url);
      assert.equal(answerA.container.RelayState, 'after-logout');
      const response = await ca.validateRedirectAsync(answerA.container, answerA.raw);
      assert.equal(response.loggedOut, true);
      assert.match(decoded(answerA.container.SAMLResponse!), /InResponseTo=/);

      // the SAML session is over for every provider: B's next request needs the steps again
      const again = await browser.go(await cb.getAuthorizeUrlAsync('', undefined, {}));
      assert.match(again.html, /name="password"/);
      const events = (await f.server.services.audit.query({ event: 'saml.logout', limit: 10 })).events;
      assert.ok(events.some((e) => (e.data as { others?: string[] }).others?.join() === [b.issuer, c.issuer].join()));
    });

    test('HTTP-POST: the other provider gets a signed LogoutRequest by POST, the first its LogoutResponse by POST', async () => {
      await f.addUser('slo-post-user');
      const a = await f.addServiceProvider('slo-post-a', { singleLogout: { enabled: true, binding: 'post' } });
      const b = await f.addServiceProvider('slo-post-b', { singleLogout: { enabled: true, binding: 'post' } });
      const ca = a.client();
      const cb = b.client();
      const browser = new Browser();
      const [pa] = await loggedIn(browser, 'slo-post-user', [
        { sp: a, client: ca },
        { sp: b, client: cb },
      ]);
      const logoutUrl = await ca.getLogoutUrlAsync(pa!, '', {});
      const requestId = /ID="([^"]+)"/.exec(decoded(new URL(logoutUrl).searchParams.get('SAMLRequest')!))![1];
      const page: Page = await browser.go(logoutUrl);
      const toB = postedForm(page);
      assert.equal(toB.action, b.slo);
      assert.match(decoded(toB.fields.SAMLRequest!), /<ds:Signature/);
      const request = await cb.validatePostRequestAsync({ SAMLRequest: toB.fields.SAMLRequest! });
      assert.equal(request.loggedOut, true);
      const back = await cb.getLogoutResponseUrlAsync(request.profile!, toB.fields.RelayState!, {}, true);
      const toA = postedForm(await browser.go(back));
      assert.equal(toA.action, a.slo);
      assert.match(decoded(toA.fields.SAMLResponse!), new RegExp(`InResponseTo="${requestId}"`));
      // node-saml looks for InResponseTo on a Response only, so a POSTed LogoutResponse is read with ifPresent
      const reader = a.client({ validateInResponseTo: 'ifPresent' as never });
      const response = await reader.validatePostResponseAsync({ SAMLResponse: toA.fields.SAMLResponse! });
      assert.equal(response.loggedOut, true);
    });

    test('a LogoutResponse that answers no logout in progress is refused', async () => {
      const a = await f.addServiceProvider('slo-stray');
      const ca = a.client();
      const url = await ca.getLogoutResponseUrlAsync(
        {
          issuer: f.url,
          nameID: 'x',
          nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
          ID: '_nope',
        },
        'no-such-logout',
        {},
        true,
      );
      const page = await new Browser().go(url);
      assert.equal(page.status, 400);
      assert.match(page.html, /answers no logout in progress/);
    });

    test('logging out at Stepgate (/saml2/slo without a message) tells every provider and ends with the signed-out page', async () => {
      await f.addUser('slo-here-user');
      const a = await f.addServiceProvider('slo-here-a');
      const ca = a.client();
      const browser = new Browser();
      await loggedIn(browser, 'slo-here-user', [{ sp: a, client: ca }]);
      // a bare link only asks; the answer carries the token of this browser's session
      const ask0 = await browser.go(`${f.url}/saml2/slo`);
      assert.match(ask0.html, /Do you want to log out/);
      const confirm = Browser.form(ask0, '/saml2/slo');
      const forged = await browser.go(`${f.url}/saml2/slo`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: `${confirm.fields.csrf}x`, logout: 'yes' }),
      });
      assert.equal(forged.status, 403, 'a logout with a wrong token went through');
      const kept = await browser.submit(confirm, {});
      assert.match(kept.html, /Still logged in/);
      const toA = await browser.submit(confirm, { logout: 'yes' }, at(a.slo));
      const ask = query(toA.url);
      const request = await ca.validateRedirectAsync(ask.container, ask.raw);
      const done = await browser.go(
        await ca.getLogoutResponseUrlAsync(request.profile!, ask.container.RelayState!, {}, true),
      );
      assert.equal(done.status, 200);
      assert.match(done.html, /Logged out/);
      assert.match((await browser.go(await ca.getAuthorizeUrlAsync('', undefined, {}))).html, /name="password"/);
    });

    test("a SAML logout ends the browser's OIDC session too: the next OIDC login runs the steps again", async () => {
      await f.addUser('slo-oidc-user');
      const redirect = 'http://127.0.0.1:1/callback';
      const created = await f.server.services.applications.create({
        name: 'OIDC beside SAML',
        redirectUris: [redirect],
        subjectClaimUri: ClaimUri.mobile,
        steps: TWO_STEPS,
      });
      const rp = await relyingParty(f.url, created.application.clientId, created.clientSecret, redirect);
      const toCallback = (u: string) => u.startsWith(redirect);
      const browser = new Browser();
      const first = await f.passSteps(browser, await browser.go(rp.begin().url), 'slo-oidc-user', 2, toCallback);
      assert.ok(toCallback(first.url), `expected the OIDC callback, got ${first.status} ${first.url}`);
      // near miss: with the OIDC session, the next authorization goes straight back
      assert.ok(toCallback((await browser.go(rp.begin().url, {}, toCallback)).url));
      const sp = await f.addServiceProvider('slo-oidc', { singleLogout: { enabled: false } });
      const client = sp.client();
      postedForm(
        await f.passSteps(
          browser,
          await browser.go(await client.getAuthorizeUrlAsync('', undefined, {})),
          'slo-oidc-user',
        ),
      );
      const out = await browser.submit(Browser.form(await browser.go(`${f.url}/saml2/slo`), '/saml2/slo'), {
        logout: 'yes',
      });
      assert.match(out.html, /Logged out/);
      const after = await browser.go(rp.begin().url, {}, toCallback);
      assert.match(after.html, /name="password"/, 'the OIDC session ended with the SAML logout');
    });

    test("an OIDC logout ends the browser's SAML session too: the next AuthnRequest runs the steps again", async () => {
      const user = await f.addUser('oidc-slo-user');
      const redirect = 'http://127.0.0.1:1/callback';
      const created = await f.server.services.applications.create({
        name: 'OIDC logout beside SAML',
        redirectUris: [redirect],
        postLogoutRedirectUris: [redirect],
        subjectClaimUri: ClaimUri.mobile,
        steps: TWO_STEPS,
      });
      const rp = await relyingParty(f.url, created.application.clientId, created.clientSecret, redirect);
      const toCallback = (u: string) => u.startsWith(redirect);
      const browser = new Browser();
      const sp = await f.addServiceProvider('oidc-slo', { singleLogout: { enabled: false } });
      const client = sp.client();
      const sso = async () => browser.go(await client.getAuthorizeUrlAsync('', undefined, {}));
      postedForm(await f.passSteps(browser, await sso(), 'oidc-slo-user'));
      // near miss: with the SAML session, the next AuthnRequest is answered at once
      assert.ok(postedForm(await sso()).fields.SAMLResponse, 'no single sign-on from the SAML session');
      const signedIn = await f.passSteps(browser, await browser.go(rp.begin().url), 'oidc-slo-user', 2, toCallback);
      assert.ok(toCallback(signedIn.url), `expected the OIDC callback, got ${signedIn.status} ${signedIn.url}`);
      // RP-initiated logout, confirmed on Stepgate's logout page
      const confirm = await browser.go(`${f.url}/oidc/session/end?client_id=${created.application.clientId}`);
      const out = await browser.submit(Browser.form(confirm, 'op.logoutForm'), { logout: 'yes' }, toCallback);
      assert.ok(out.status < 400, `the OIDC logout failed: ${out.status}`);
      const after = await sso();
      assert.match(after.html, /name="password"/, 'the SAML session outlived the OIDC logout');
      // the record goes right after the answer: its event says so
      const endedHere = async () =>
        (await f.server.services.audit.query({ event: 'saml.session-ended' })).events.some(
          (e) => e.data.reason === 'oidc-logout' && e.userId === user.id,
        );
      for (let i = 0; i < 50 && !(await endedHere()); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(await endedHere(), 'no saml.session-ended event for the OIDC logout');
    });
  });
}
