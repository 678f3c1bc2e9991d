/**
 * SAML Web Browser SSO through both request bindings, with the seed's two steps (password, SMS OTP), checked by
 * @node-saml/node-saml as the service provider against the certificates Stepgate publishes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { setEnabled } from '../../src/identity/users.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import {
  decoded,
  MFA,
  ONE_STEP,
  PPT,
  postBindingRequest,
  postedForm,
  type SamlFixture,
  startSaml,
} from './support/fixture.js';

for (const { name, backend, redis, skip } of variants({ redis: true })) {
  suiteNeeding(skip, `SAML SSO on ${name}`, () => {
    let f: SamlFixture;
    before(async () => {
      f = await startSaml({ backend, redis });
    });
    after(() => f.stop());

    test('the metadata names the entity, the signing certificate and the SSO and SLO services in both bindings', async () => {
      const res = await fetch(`${f.url}/saml2/metadata`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/samlmetadata\+xml/);
      const xml = await res.text();
      assert.match(xml, new RegExp(`entityID="${f.url}"`));
      assert.match(xml, /<md:IDPSSODescriptor[^>]*protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/);
      assert.match(xml, /<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MII/);
      for (const service of ['SingleSignOnService', 'SingleLogoutService'])
        for (const binding of ['HTTP-Redirect', 'HTTP-POST'])
          assert.match(
            xml,
            new RegExp(
              `<md:${service} Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${f.url}/saml2/${service === 'SingleSignOnService' ? 'sso' : 'slo'}"/>`,
            ),
          );
      assert.equal((await f.idpCertificates()).length, 1);
    });

    test('HTTP-Redirect: both steps, then a signed Response node-saml accepts: NameID the mobile number, attributes, MFA context', async () => {
      const user = await f.addUser('redirect-user');
      const sp = await f.addServiceProvider('redirect');
      const client = sp.client();
      const browser = new Browser();
      const url = await client.getAuthorizeUrlAsync('relay-1', undefined, {});
      assert.match(url, /[?&]Signature=/, 'node-saml signs the redirect');
      const login = await browser.go(url);
      const done = await f.passSteps(browser, login, 'redirect-user');
      const form = postedForm(done);
      assert.equal(form.action, sp.acs, 'the response goes to the registered ACS URL');
      assert.equal(form.fields.RelayState, 'relay-1');
      assert.match(done.html, /<script src="\/assets\/saml-post\.js"/, 'the form posts itself with the static script');
      assert.match(done.html, /<button type="submit"[^>]*>Continue<\/button>/, 'a Continue button without JavaScript');
      const { profile } = await client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! });
      assert.ok(profile);
      assert.equal(profile.nameID, user.mobile);
      assert.equal(profile.nameIDFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified');
      assert.equal(profile.issuer, f.url);
      assert.equal(profile[ClaimUri.mobile], user.mobile);
      assert.equal(profile[ClaimUri.email], 'redirect-user@example.com');
      assert.ok(profile.sessionIndex);
      const xml = decoded(form.fields.SAMLResponse!);
      assert.match(xml, new RegExp(`<saml:AuthnContextClassRef>${MFA}</saml:AuthnContextClassRef>`));
      assert.match(xml, new RegExp(`Recipient="${sp.acs}"`));
      assert.match(xml, new RegExp(`<saml:Audience>${sp.issuer}</saml:Audience>`));
      assert.match(xml, /SignatureMethod Algorithm="http:\/\/www.w3.org\/2001\/04\/xmldsig-more#rsa-sha256"/);
      assert.match(xml, /CanonicalizationMethod Algorithm="http:\/\/www.w3.org\/2001\/10\/xml-exc-c14n#"/);
      assert.equal((xml.match(/<ds:Signature /g) ?? []).length, 2, 'assertion and response both signed');
      // the page the browser keeps showing a reload of is not a second assertion
      const again = await browser.go(login.url);
      assert.doesNotMatch(again.html, /SAMLResponse/);
    });

    test('HTTP-POST with a signed request the provider must sign: the same two steps and a valid response', async () => {
      const user = await f.addUser('post-user');
      const sp = await f.addServiceProvider('post', { validateRequestSignatures: true });
      const client = sp.client({ authnRequestBinding: 'HTTP-POST' });
      const browser = new Browser();
      const html = await client.getAuthorizeFormAsync('relay-post');
      assert.match(decoded(/name="SAMLRequest" value="([^"]+)"/.exec(html)![1]!), /<Signature|<ds:Signature/);
      const login = await postBindingRequest(browser, html);
      const done = await f.passSteps(browser, login, 'post-user');
      const form = postedForm(done);
      assert.equal(form.fields.RelayState, 'relay-post');
      const { profile } = await client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! });
      assert.equal(profile?.nameID, user.mobile);
    });

    test('a provider that must sign is refused an unsigned request: a page, nothing posted', async () => {
      const sp = await f.addServiceProvider('must-sign', { validateRequestSignatures: true });
      const client = sp.client({ privateKey: undefined });
      const page = await new Browser().go(await client.getAuthorizeUrlAsync('', undefined, {}));
      assert.equal(page.status, 403);
      assert.match(page.html, /not signed/);
      assert.doesNotMatch(page.html, /SAMLResponse/);
    });

    test('a second provider in the same browser gets an assertion from the SAML session, without the steps', async () => {
      const user = await f.addUser('sso-user');
      const a = await f.addServiceProvider('sso-a');
      const b = await f.addServiceProvider('sso-b');
      const browser = new Browser();
      const clientA = a.client();
      const first = postedForm(
        await f.passSteps(browser, await browser.go(await clientA.getAuthorizeUrlAsync('', undefined, {})), 'sso-user'),
      );
      const pa = (await clientA.validatePostResponseAsync({ SAMLResponse: first.fields.SAMLResponse! })).profile!;
      const sent = f.sms.messages.length;
      const clientB = b.client();
      const second = postedForm(await browser.go(await clientB.getAuthorizeUrlAsync('', undefined, {})));
      assert.equal(f.sms.messages.length, sent, 'no SMS for the second provider');
      assert.equal(second.action, b.acs);
      const pb = (await clientB.validatePostResponseAsync({ SAMLResponse: second.fields.SAMLResponse! })).profile!;
      assert.equal(pb.nameID, user.mobile);
      assert.equal(pb.sessionIndex, pa.sessionIndex);
      assert.match(decoded(second.fields.SAMLResponse!), new RegExp(MFA));
      // a user disabled since the session began gets no assertion from it: the login pages instead
      await setEnabled(f.server.services.db, user.id, false);
      const c = await f.addServiceProvider('sso-c');
      const third = await browser.go(await c.client().getAuthorizeUrlAsync('', undefined, {}));
      assert.doesNotMatch(third.html, /SAMLResponse/);
      assert.match(third.html, /name="password"/);
    });

    test('ForceAuthn runs the steps again even with a session', async () => {
      const user = await f.addUser('force-user');
      const sp = await f.addServiceProvider('force');
      const browser = new Browser();
      postedForm(
        await f.passSteps(
          browser,
          await browser.go(await sp.client().getAuthorizeUrlAsync('', undefined, {})),
          'force-user',
        ),
      );
      const client = sp.client({ forceAuthn: true });
      const again = await browser.go(await client.getAuthorizeUrlAsync('', undefined, {}));
      assert.match(again.html, /name="password"/, 'the password step again');
      const form = postedForm(await f.passSteps(browser, again, 'force-user'));
      assert.equal(
        (await client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! })).profile?.nameID,
        user.mobile,
      );
    });

    test('Cancel on the login page: AuthnFailed to the registered ACS URL, once; another browser cannot take the login', async () => {
      const sp = await f.addServiceProvider('cancel');
      const client = sp.client();
      const browser = new Browser();
      const login = await browser.go(await client.getAuthorizeUrlAsync('relay-c', undefined, {}));
      assert.match(login.html, /name="password"/);
      const stranger = await new Browser().go(login.url);
      assert.equal(stranger.status, 410, 'the login belongs to the browser that started it (its signed cookie)');
      const abort = /href="([^"]*\/abort)"/.exec(login.html)?.[1] ?? `${new URL(login.url).pathname}/abort`;
      const cancelled = await browser.go(new URL(abort, login.url).toString());
      const form = postedForm(cancelled);
      assert.equal(form.action, sp.acs);
      assert.equal(form.fields.RelayState, 'relay-c');
      assert.match(decoded(form.fields.SAMLResponse!), /status:AuthnFailed/);
      await assert.rejects(client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! }), /Responder/);
      const twice = await browser.go(new URL(abort, login.url).toString());
      assert.doesNotMatch(twice.html, /SAMLResponse/);
      assert.ok(twice.status >= 400, `a second cancel: ${twice.status}`);
    });

    test('IsPassive without a session: NoPassive, no login page', async () => {
      const sp = await f.addServiceProvider('passive');
      const client = sp.client({ passive: true });
      const page = await new Browser().go(await client.getAuthorizeUrlAsync('', undefined, {}));
      const form = postedForm(page);
      assert.match(decoded(form.fields.SAMLResponse!), /urn:oasis:names:tc:SAML:2.0:status:NoPassive/);
      // node-saml reads NoPassive as "no user", not as an error
      const result = await client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! });
      assert.equal(result.profile, null);
    });

    test('a context stronger than the sequence can give (MFA of a password-only application): NoAuthnContext, no weaker assertion', async () => {
      const user = await f.addUser('weak-user');
      const sp = await f.addServiceProvider('weak', {}, { steps: ONE_STEP });
      const client = sp.client({ disableRequestedAuthnContext: false, authnContext: [MFA], racComparison: 'minimum' });
      const browser = new Browser();
      const done = await f.passSteps(
        browser,
        await browser.go(await client.getAuthorizeUrlAsync('', undefined, {})),
        'weak-user',
        1,
      );
      const form = postedForm(done);
      const xml = decoded(form.fields.SAMLResponse!);
      assert.match(xml, /urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext/);
      assert.doesNotMatch(xml, /<saml:Assertion/);
      assert.match(xml, /<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">/);
      await assert.rejects(client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! }), /Responder/);
      // near miss: the same application asked for at least a password gets a password-only assertion
      const ok = sp.client({ disableRequestedAuthnContext: false, authnContext: [PPT], racComparison: 'minimum' });
      const fresh = new Browser();
      const passed = postedForm(
        await f.passSteps(fresh, await fresh.go(await ok.getAuthorizeUrlAsync('', undefined, {})), 'weak-user', 1),
      );
      assert.match(decoded(passed.fields.SAMLResponse!), new RegExp(`<saml:AuthnContextClassRef>${PPT}<`));
      assert.equal(
        (await ok.validatePostResponseAsync({ SAMLResponse: passed.fields.SAMLResponse! })).profile?.nameID,
        user.mobile,
      );
    });

    test('an unknown context class only: NoAuthnContext at once', async () => {
      const sp = await f.addServiceProvider('unknown-class');
      const client = sp.client({
        disableRequestedAuthnContext: false,
        authnContext: ['urn:example:ac:retina'],
        racComparison: 'exact',
      });
      const form = postedForm(await new Browser().go(await client.getAuthorizeUrlAsync('', undefined, {})));
      assert.match(decoded(form.fields.SAMLResponse!), /NoAuthnContext/);
    });

    test('an encrypted assertion is decrypted by node-saml with the provider key', async () => {
      const user = await f.addUser('enc-user');
      const sp = await f.addServiceProvider('encrypted', { encryptAssertions: true });
      const client = sp.client({ decryptionPvk: sp.credentials.keyPem });
      const browser = new Browser();
      const form = postedForm(
        await f.passSteps(browser, await browser.go(await client.getAuthorizeUrlAsync('', undefined, {})), 'enc-user'),
      );
      const xml = decoded(form.fields.SAMLResponse!);
      assert.match(xml, /<saml:EncryptedAssertion>/);
      assert.ok(!xml.includes(user.mobile.slice(1)), 'the NameID is not readable in transit');
      const { profile } = await client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! });
      assert.equal(profile?.nameID, user.mobile);
      // near miss: without the key the provider cannot read it
      await assert.rejects(sp.client().validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! }));
    });

    test('IdP-initiated SSO: allowed for a provider that accepts it, refused for one that does not', async () => {
      const user = await f.addUser('idp-init-user');
      const allowed = await f.addServiceProvider('idp-init', { idpInitiated: true });
      const browser = new Browser();
      const start = await browser.go(
        `${f.url}/saml2/idp-init?sp=${encodeURIComponent(allowed.issuer)}&RelayState=home`,
      );
      const form = postedForm(await f.passSteps(browser, start, 'idp-init-user'));
      assert.equal(form.action, allowed.acs);
      assert.equal(form.fields.RelayState, 'home');
      const xml = decoded(form.fields.SAMLResponse!);
      assert.doesNotMatch(xml, /InResponseTo=/);
      const client = allowed.client({ validateInResponseTo: 'never' as never });
      assert.equal(
        (await client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! })).profile?.nameID,
        user.mobile,
      );
      const refused = await f.addServiceProvider('no-idp-init');
      const page = await browser.go(`${f.url}/saml2/idp-init?sp=${encodeURIComponent(refused.issuer)}`);
      assert.equal(page.status, 403);
      assert.match(page.html, /does not accept IdP-initiated/);
      assert.doesNotMatch(page.html, /SAMLResponse/);
      // with the SAML session of that login, another provider that allows it gets its assertion without the steps
      const also = await f.addServiceProvider('idp-init-2', { idpInitiated: true });
      const direct = postedForm(await browser.go(`${f.url}/saml2/idp-init?sp=${encodeURIComponent(also.issuer)}`));
      assert.equal(direct.action, also.acs);
      const again = also.client({ validateInResponseTo: 'never' as never });
      assert.equal(
        (await again.validatePostResponseAsync({ SAMLResponse: direct.fields.SAMLResponse! })).profile?.nameID,
        user.mobile,
      );
      const unknown = await browser.go(`${f.url}/saml2/idp-init?sp=urn:nobody`);
      assert.equal(unknown.status, 404);
    });
  });
}
