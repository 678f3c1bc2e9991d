/**
 * The check the issue promises from outside: an independent SAML SP (node-saml) publishes its own metadata, an
 * automation client registers it through the admin API (an application, then "Import SP metadata"), and a user logs
 * in to it through both steps, the SP checking the response against the certificates in /saml2/metadata. Its
 * requests are signed, because its metadata says AuthnRequestsSigned: an unsigned one is refused.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { FastifyPluginAsync } from 'fastify';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { client as apiClient, clientToken } from '../admin-api/support.js';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { MFA, postedForm, type SamlFixture, startSaml } from './support/fixture.js';

for (const variant of variants()) {
  suiteNeeding(variant.skip, `a SAML SP registered through the admin API from its metadata, on ${variant.name}`, () => {
    let f: SamlFixture;
    let call: ReturnType<typeof apiClient>;
    const issuer = 'https://independent-sp.example/saml';
    const acs = 'http://127.0.0.1:1/independent/acs';
    const credentials = makeSelfSignedCertificate('independent-sp.test');
    let sp: SAML;

    before(async () => {
      f = await startSaml({
        backend: variant.backend,
        plugins: (services) => [
          {
            plugin: adminApiPlugin as unknown as FastifyPluginAsync<Record<string, unknown>>,
            options: { services, rateLimit: { max: 10_000, timeWindow: 60_000 } },
          },
        ],
      });
      call = apiClient(f.server, await clientToken(f.server));
      sp = new SAML({
        issuer,
        callbackUrl: acs,
        entryPoint: `${f.url}/saml2/sso`,
        idpCert: await f.idpCertificates(),
        idpIssuer: f.url,
        audience: issuer,
        privateKey: credentials.keyPem,
        publicCert: credentials.certPem,
        signatureAlgorithm: 'sha256',
        digestAlgorithm: 'sha256',
        wantAssertionsSigned: true,
        wantAuthnResponseSigned: true,
        identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
        authnContext: ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'],
        racComparison: 'minimum',
        validateInResponseTo: ValidateInResponseTo.always,
        acceptedClockSkewMs: 1000,
      });
    });
    after(async () => f?.stop());

    test('registered from its metadata with two calls, it gets a two-factor assertion; an unsigned request of it is refused', async () => {
      const user = await f.addUser('independent-sp-user');
      // the SP's own metadata, as node-saml publishes it (signing certificate, ACS, AuthnRequestsSigned), read by the
      // API into settings; then the application with those settings, the guide's steps and the attribute profile
      const metadata = sp.generateServiceProviderMetadata(null, credentials.certPem);
      const read = await call('POST', '/saml/sp-metadata', { xml: metadata });
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.saml.issuer, issuer);
      assert.deepEqual(read.body.saml.assertionConsumerUrls, [acs]);
      assert.equal(read.body.saml.validateRequestSignatures, true);
      const created = await call('POST', '/applications', {
        name: 'Independent SAML SP',
        grantTypes: [],
        redirectUris: [],
        subjectClaimUri: ClaimUri.mobile,
        requestedClaims: [ClaimUri.mobile, ClaimUri.email],
        steps: [
          { options: [{ authenticator: 'password' }] },
          { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] },
        ],
        saml: { ...read.body.saml, attributeProfile: true },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.application.saml.issuer, issuer);

      const browser = new Browser();
      const start = await browser.go(await sp.getAuthorizeUrlAsync('', undefined, {}));
      const done = await f.passSteps(browser, start, user.username);
      const form = postedForm(done);
      assert.equal(form.action, acs);
      const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! });
      assert.equal(profile?.nameID, user.mobile);
      assert.match(profile?.getAssertionXml?.() ?? '', new RegExp(MFA.replace(/[.]/g, '\\.')));
      assert.match(profile?.getAssertionXml?.() ?? '', /admin@example\.com|independent-sp-user@example\.com/);

      // near miss: the same SP without its signature (the metadata said it signs) gets no login page
      const unsigned = new SAML({ ...sp.options, privateKey: undefined as unknown as string });
      const refused = await new Browser().go(await unsigned.getAuthorizeUrlAsync('', undefined, {}));
      assert.ok(refused.status >= 400 && refused.status < 500, `an unsigned request got ${refused.status}`);
      assert.doesNotMatch(refused.html, /name="password"/);
      assert.match(refused.html, /sign/i, `refused for another reason:\n${refused.html.slice(0, 400)}`);
    });
  });
}
