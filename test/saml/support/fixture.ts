/**
 * A running Stepgate for the SAML suites: the seed's smsOTP identity provider on a loopback mock SMS provider, and
 * service providers played by @node-saml/node-saml (an SP library independent of Stepgate's XML code) that trust
 * exactly the certificates Stepgate publishes at /saml2/metadata. Helpers walk a login through both steps.
 */
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { SAML, type SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { ClaimUri } from '../../../src/identity/claim-uris.js';
import type { SamlServiceProviderInput } from '../../../src/identity/saml-settings.js';
import { createUser, type User } from '../../../src/identity/users.js';
import { makeSelfSignedCertificate, type TestCertificate } from '../../sms/support/tls.js';
import { gatewayFor, TEST_DEFAULTS } from '../../sms-otp/support/fixture.js';
import { type MockSms, startMockSms } from '../../sms-otp/support/mock-sms.js';
import type { Backend } from '../../support/backends.js';
import { Browser, type Form, type Page } from '../../support/browser.js';
import { type StartOptions, startStepgate, type TestServer } from '../../support/server.js';

export const PASSWORD = 'correct horse battery';
export const TWO_STEPS = [
  { options: [{ authenticator: 'password' }] },
  { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] },
];
export const ONE_STEP = [{ options: [{ authenticator: 'password' }] }];
export const MFA = 'https://refeds.org/profile/mfa';
export const PPT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

export interface ServiceProvider {
  issuer: string;
  acs: string;
  slo: string;
  /** the SP's own key and certificate (signs its requests, decrypts assertions) */
  credentials: TestCertificate;
  applicationId: string;
  /** a node-saml SP with these options on top of the defaults */
  client(options?: Partial<SamlConfig>): SAML;
}

export interface SamlFixture {
  server: TestServer;
  url: string;
  sms: MockSms;
  /** the signing certificates in /saml2/metadata, as node-saml takes them (base64 DER bodies) */
  idpCertificates(): Promise<string[]>;
  /** a user with a mobile number of its own (the subject claim is unique among users); returns it with the user */
  addUser(username: string): Promise<User & { mobile: string }>;
  addServiceProvider(
    name: string,
    saml?: Partial<SamlServiceProviderInput>,
    more?: { steps?: typeof TWO_STEPS; requestedClaims?: string[] },
  ): Promise<ServiceProvider>;
  /** from the password page on: password, then the SMS code; returns the page after the last step */
  passSteps(
    browser: Browser,
    page: Page,
    username: string,
    steps?: 1 | 2,
    stopAt?: (url: string) => boolean,
  ): Promise<Page>;
  stop(): Promise<void>;
}

let counter = 0;
let users = 0;

export async function startSaml(
  options: {
    backend?: Backend;
    /** short-lived state (replay cache, SAML sessions, logouts) in Redis */
    redis?: boolean;
    /** an existing database (a restart); `keep`: it has the smsOTP identity provider already */
    database?: { url: string; dataDir: string; masterKey: string };
    keep?: boolean;
    /** server configuration on top of the suite's */
    overrides?: Record<string, unknown>;
    /** further surfaces to mount (the admin API) */
    plugins?: StartOptions['plugins'];
  } = {},
): Promise<SamlFixture> {
  const sms = await startMockSms();
  const server = await startStepgate({
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.redis ? { redis: true } : {}),
    ...(options.database
      ? {
          database: {
            url: options.database.url,
            dataDir: options.database.dataDir,
            masterKey: options.database.masterKey,
          },
        }
      : {}),
    overrides: { argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 }, ...options.overrides },
    ...(options.plugins ? { plugins: options.plugins } : {}),
  });
  const s = server.services;
  const smsOtp = { type: 'sms-otp', enabled: true, config: { ...TEST_DEFAULTS, gateway: gatewayFor(sms.origin) } };
  const existing = options.keep ? await s.identityProviders.getByName('smsOTP') : undefined;
  if (existing) await s.identityProviders.update(existing.id, { authenticators: [smsOtp] });
  else await s.identityProviders.create({ name: 'smsOTP', authenticators: [smsOtp] });

  async function idpCertificates(): Promise<string[]> {
    const res = await fetch(`${server.url}/saml2/metadata`);
    assert.equal(res.status, 200);
    const doc = new DOMParser().parseFromString(await res.text(), 'text/xml');
    const certs = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'X509Certificate');
    return Array.from({ length: certs.length }, (_, i) => certs.item(i)!.textContent!.trim());
  }

  return {
    server,
    url: server.url,
    sms,
    idpCertificates,
    async addUser(username) {
      const mobile = `+94772${String(++users).padStart(6, '0')}`;
      const claims = { [ClaimUri.mobile]: mobile, [ClaimUri.email]: `${username}@example.com` };
      return { ...(await createUser(s.db, s.hasher, { username, password: PASSWORD, claims })), mobile };
    },
    async addServiceProvider(name, saml = {}, more = {}) {
      const n = ++counter;
      const issuer = `urn:test:sp:${name}:${n}`;
      const origin = `http://127.0.0.1:${10000 + n}`;
      const acs = `${origin}/acs`;
      const slo = `${origin}/slo`;
      const credentials = makeSelfSignedCertificate(`sp-${n}.test`);
      const created = await s.applications.create({
        name: `SAML ${name} ${n}`,
        grantTypes: [],
        redirectUris: [],
        subjectClaimUri: ClaimUri.mobile,
        requestedClaims: more.requestedClaims ?? [ClaimUri.mobile, ClaimUri.email],
        steps: more.steps ?? TWO_STEPS,
        saml: {
          issuer,
          assertionConsumerUrls: [acs],
          attributeProfile: true,
          certificate: credentials.certPem,
          ...saml,
          singleLogout: { enabled: true, url: slo, ...saml.singleLogout },
        },
      });
      const certs = await idpCertificates();
      return {
        issuer,
        acs,
        slo,
        credentials,
        applicationId: created.application.id,
        client: (extra = {}) =>
          new SAML({
            issuer,
            callbackUrl: acs,
            entryPoint: `${server.url}/saml2/sso`,
            logoutUrl: `${server.url}/saml2/slo`,
            logoutCallbackUrl: slo,
            idpCert: certs,
            idpIssuer: server.url,
            audience: issuer,
            identifierFormat: null,
            privateKey: credentials.keyPem,
            publicCert: credentials.certPem,
            signatureAlgorithm: 'sha256',
            digestAlgorithm: 'sha256',
            wantAssertionsSigned: true,
            wantAuthnResponseSigned: true,
            disableRequestedAuthnContext: true,
            validateInResponseTo: ValidateInResponseTo.always,
            acceptedClockSkewMs: 1000,
            ...extra,
          }),
      };
    },
    async passSteps(browser, page, username, steps = 2, stopAt) {
      assert.match(
        page.html,
        /name="password"/,
        `expected the password page, got ${page.status}:\n${page.html.slice(0, 600)}`,
      );
      let next = await browser.submit(Browser.form(page), { username, password: PASSWORD }, stopAt);
      if (steps === 1) return next;
      assert.match(
        next.html,
        /one-time-code/,
        `expected the code page, got ${next.status}:\n${next.html.slice(0, 600)}`,
      );
      next = await browser.submit(Browser.form(next, 'sms-otp-verify'), { code: sms.lastCode() }, stopAt);
      return next;
    },
    async stop() {
      await server.stop();
      await sms.close();
    },
  };
}

/** The auto-posting form a page carries to a service provider: its action and fields. */
export function postedForm(page: Page): Form {
  assert.equal(page.status, 200, `expected the auto-posting page, got ${page.status}:\n${page.html.slice(0, 800)}`);
  const form = Browser.form(page, 'saml-post');
  assert.match(page.html, /id="saml-post"/, `no SAML form on the page:\n${page.html.slice(0, 800)}`);
  return form;
}

/** Opens node-saml's HTTP-POST binding page (a form that posts itself) as a browser without JavaScript would. */
export async function postBindingRequest(browser: Browser, html: string): Promise<Page> {
  const form = Browser.form({ url: 'http://sp.invalid/', status: 200, html, headers: new Headers() });
  return browser.submit(form, {});
}

/** The decoded XML of a SAMLResponse / SAMLRequest form field. */
export function decoded(value: string): string {
  const bytes = Buffer.from(value, 'base64');
  return (bytes[0] === 0x3c ? bytes : inflateRawSync(bytes)).toString('utf8');
}
