/**
 * What the SAML endpoints refuse, each with its near miss: unregistered ACS URLs (no open redirect of assertions),
 * replayed and expired requests, tampered signed requests, signature wrapping, comments in NameID, DTDs and entity
 * expansion, and malformed input of every kind — always a 4xx page, never a 500, and nothing posted anywhere.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { Browser, type Page } from '../support/browser.js';
import { decoded, postedForm, type SamlFixture, type ServiceProvider, startSaml } from './support/fixture.js';

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const STRANGER_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const newId = () => `_${randomBytes(12).toString('hex')}`;

/** A hand-made unsigned AuthnRequest (test input, deliberately built as text so it can be malformed). */
function authnRequest(sp: ServiceProvider, options: { id?: string; issueInstant?: number; acs?: string } = {}) {
  return (
    `<samlp:AuthnRequest xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="${options.id ?? newId()}" ` +
    `Version="2.0" IssueInstant="${iso(options.issueInstant ?? Date.now())}" ` +
    `AssertionConsumerServiceURL="${options.acs ?? sp.acs}">` +
    `<saml:Issuer>${sp.issuer}</saml:Issuer></samlp:AuthnRequest>`
  );
}

function post(browser: Browser, url: string, fields: Record<string, string>): Promise<Page> {
  return browser.request(url, { method: 'POST', body: new URLSearchParams(fields) });
}

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

/** A refusal: a 4xx HTML page that posts nothing. */
function refused(page: Page, status: number, text: RegExp) {
  assert.equal(page.status, status, `expected ${status}, got ${page.status}:\n${page.html.slice(0, 600)}`);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.html, text);
  assert.doesNotMatch(page.html, /SAMLResponse|id="saml-post"/);
}

let f: SamlFixture;
let open: ServiceProvider;
let signing: ServiceProvider;
before(async () => {
  f = await startSaml();
  open = await f.addServiceProvider('open');
  signing = await f.addServiceProvider('signing', { validateRequestSignatures: true });
});
after(() => f.stop());

/** node-saml's signed HTTP-POST AuthnRequest, as XML (not deflated, so a test can change it). */
async function signedPostRequest(sp: ServiceProvider): Promise<string> {
  const html = await sp
    .client({ authnRequestBinding: 'HTTP-POST', skipRequestCompression: true })
    .getAuthorizeFormAsync('');
  return decoded(/name="SAMLRequest" value="([^"]+)"/.exec(html)![1]!);
}

test('an ACS URL that is not registered for the provider: a page, nothing posted to it (or to the registered one)', async () => {
  const client = open.client({ callbackUrl: 'http://attacker.test/acs' });
  const page = await new Browser().go(await client.getAuthorizeUrlAsync('', undefined, {}));
  refused(page, 403, /not registered for this service provider/);
  assert.doesNotMatch(page.html, /attacker\.test/);
  // near miss: the registered ACS URL starts a login
  const ok = await new Browser().go(await open.client().getAuthorizeUrlAsync('', undefined, {}));
  assert.match(ok.html, /name="password"/);
});

test('a replayed request ID is refused; a new request of the same provider is not', async () => {
  const url = await open.client().getAuthorizeUrlAsync('', undefined, {});
  const first = await new Browser().go(url);
  assert.match(first.html, /name="password"/);
  refused(await new Browser().go(url), 403, /used already/);
  // the same ID in another binding is the same request
  const xml = authnRequest(open, { id: 'replayed-id' });
  const b = new Browser();
  assert.equal((await post(b, `${f.url}/saml2/sso`, { SAMLRequest: b64(xml) })).status, 303);
  refused(await post(b, `${f.url}/saml2/sso`, { SAMLRequest: b64(xml) }), 403, /used already/);
});

test('an expired request (IssueInstant too old) and one from the future are refused; a fresh one is not', async () => {
  const b = new Browser();
  refused(
    await post(b, `${f.url}/saml2/sso`, {
      SAMLRequest: b64(authnRequest(open, { issueInstant: Date.now() - 7 * 60_000 })),
    }),
    400,
    /expired/,
  );
  refused(
    await post(b, `${f.url}/saml2/sso`, {
      SAMLRequest: b64(authnRequest(open, { issueInstant: Date.now() + 5 * 60_000 })),
    }),
    400,
    /future/,
  );
  const fresh = await post(b, `${f.url}/saml2/sso`, {
    SAMLRequest: b64(authnRequest(open, { issueInstant: Date.now() - 60_000 })),
  });
  assert.equal(fresh.status, 303);
  assert.match(fresh.headers.get('location') ?? '', /^\/interaction\//);
});

test('a tampered signed POST request does not verify; the untouched one does', async () => {
  const xml = await signedPostRequest(signing);
  const tampered = xml.replace(
    /IssueInstant="([^"]+)"/,
    (_m, t: string) => `IssueInstant="${iso(Date.parse(t) - 1000)}"`,
  );
  assert.notEqual(tampered, xml);
  refused(await post(new Browser(), `${f.url}/saml2/sso`, { SAMLRequest: b64(tampered) }), 403, /does not verify/);
  const ok = await post(new Browser(), `${f.url}/saml2/sso`, { SAMLRequest: b64(xml) });
  assert.equal(ok.status, 303, ok.html.slice(0, 400));
});

test('a tampered signed Redirect request (RelayState changed after signing) does not verify', async () => {
  const url = await signing.client().getAuthorizeUrlAsync('relay', undefined, {});
  assert.match(url, /RelayState=relay/);
  refused(await new Browser().go(url.replace('RelayState=relay', 'RelayState=other')), 403, /does not verify/);
  // and one signed by another key
  const stranger = signing.client({ privateKey: STRANGER_KEY });
  refused(await new Browser().go(await stranger.getAuthorizeUrlAsync('', undefined, {})), 403, /does not verify/);
  assert.match((await new Browser().go(url)).html, /name="password"/, 'near miss: the untouched URL starts a login');
});

test('signature wrapping: content outside the signed element is never taken as signed', async () => {
  const xml = await signedPostRequest(signing);
  const id = /ID="([^"]+)"/.exec(xml)![1]!;
  const inner = xml.replace(/^<\?xml[^>]*\?>/, '');
  const body = inner.replace(/^<samlp:AuthnRequest[^>]*>/, '').replace(/<\/samlp:AuthnRequest>$/, '');
  const signature =
    /<Signature[\s\S]*<\/Signature>/.exec(body)?.[0] ?? /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(body)![0];
  const issuer = `<saml:Issuer xmlns:saml="${ASSERTION}">${signing.issuer}</saml:Issuer>`;
  const evilAttrs = `xmlns:samlp="${PROTOCOL}" Version="2.0" IssueInstant="${iso(Date.now())}" ForceAuthn="false"`;
  // 1. a new unsigned root wrapping the signed request in Extensions
  const wrapped = `<samlp:AuthnRequest ${evilAttrs} ID="${newId()}">${issuer}<samlp:Extensions>${inner}</samlp:Extensions></samlp:AuthnRequest>`;
  refused(await post(new Browser(), `${f.url}/saml2/sso`, { SAMLRequest: b64(wrapped) }), 403, /not signed/);
  // 2. the signature moved up to the new root, still pointing at the wrapped original
  const moved = `<samlp:AuthnRequest ${evilAttrs} ID="${newId()}">${issuer}${signature}<samlp:Extensions>${inner.replace(signature, '')}</samlp:Extensions></samlp:AuthnRequest>`;
  refused(await post(new Browser(), `${f.url}/saml2/sso`, { SAMLRequest: b64(moved) }), 403, /does not cover/);
  // 3. the new root takes the original's ID, the original (still signed) hides in Extensions
  const sameId = `<samlp:AuthnRequest ${evilAttrs} ID="${id}">${issuer}${signature}<samlp:Extensions>${inner.replace(signature, '')}</samlp:Extensions></samlp:AuthnRequest>`;
  refused(
    await post(new Browser(), `${f.url}/saml2/sso`, { SAMLRequest: b64(sameId) }),
    403,
    /repeats its ID|does not verify/,
  );
  // near miss: the original, unchanged, is accepted
  assert.equal((await post(new Browser(), `${f.url}/saml2/sso`, { SAMLRequest: b64(xml) })).status, 303);
});

test('a comment inside the NameID of a LogoutRequest is refused; the same NameID without it is read', async () => {
  const user = await f.addUser('comment-user');
  const browser = new Browser();
  const client = open.client();
  const form = postedForm(
    await f.passSteps(browser, await browser.go(await client.getAuthorizeUrlAsync('', undefined, {})), 'comment-user'),
  );
  const profile = (await client.validatePostResponseAsync({ SAMLResponse: form.fields.SAMLResponse! })).profile!;
  const logout = (nameId: string) =>
    `<samlp:LogoutRequest xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="${newId()}" Version="2.0" ` +
    `IssueInstant="${iso(Date.now())}"><saml:Issuer>${open.issuer}</saml:Issuer>` +
    `<saml:NameID>${nameId}</saml:NameID><samlp:SessionIndex>${profile.sessionIndex}</samlp:SessionIndex></samlp:LogoutRequest>`;
  const split = `${user.mobile.slice(0, 6)}<!---->${user.mobile.slice(6)}`;
  refused(
    await post(browser, `${f.url}/saml2/slo`, { SAMLRequest: b64(logout(split)) }),
    400,
    /NameID element must hold text only/,
  );
  const ok = await post(browser, `${f.url}/saml2/slo`, { SAMLRequest: b64(logout(user.mobile)) });
  // asked by POST, answered by POST: the LogoutResponse goes to the provider's SLO URL
  const answer = postedForm(ok);
  assert.equal(answer.action, open.slo);
  assert.match(decoded(answer.fields.SAMLResponse!), /status:Success/);
});

test('a DOCTYPE (entity expansion, external entities) is refused before parsing', async () => {
  const bomb =
    `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
    `<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
    authnRequest(open).replace(`<saml:Issuer>${open.issuer}`, `<saml:Issuer>${open.issuer}&lol3;`);
  refused(
    await post(new Browser(), `${f.url}/saml2/sso`, { SAMLRequest: b64(bomb) }),
    400,
    /document type declaration/,
  );
  const external = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${authnRequest(open)}`;
  refused(
    await post(new Browser(), `${f.url}/saml2/sso`, { SAMLRequest: b64(external) }),
    400,
    /document type declaration/,
  );
  const lower = `<!doctype r>${authnRequest(open)}`;
  refused(
    await post(new Browser(), `${f.url}/saml2/sso`, { SAMLRequest: b64(lower) }),
    400,
    /document type declaration/,
  );
});

test('bad input of every kind is a 4xx page, never a 500', async () => {
  const b = new Browser();
  const sso = `${f.url}/saml2/sso`;
  refused(await b.go(`${sso}?SAMLRequest=%%%not-base64`), 400, /.+/);
  refused(
    await b.go(`${sso}?SAMLRequest=${encodeURIComponent(Buffer.from('not deflated at all').toString('base64'))}`),
    400,
    /not deflated/,
  );
  refused(await b.go(sso), 400, /no SAMLRequest/);
  refused(await post(b, sso, { SAMLRequest: 'bm90IHhtbA==' }), 400, /.+/);
  refused(await post(b, sso, { SAMLRequest: b64('<a><b></a>') }), 400, /not well-formed/);
  refused(await post(b, sso, { SAMLRequest: b64(`<x xmlns="${PROTOCOL}"/>`) }), 400, /Expected a SAML AuthnRequest/);
  refused(
    await post(b, sso, { SAMLRequest: b64(authnRequest(open).replace(open.issuer, 'urn:unknown')) }),
    403,
    /not registered/,
  );
  // a malformed escape in the signature parameters, and a mangled cookie of ours
  const signed = await signing.client().getAuthorizeUrlAsync('', undefined, {});
  refused(await b.request(signed.replace(/SigAlg=[^&]+/, 'SigAlg=%E0%A4%A')), 400, /malformed/);
  refused(
    await b.request(`${sso}?SAMLRequest=%%%`, { headers: { cookie: 'stepgate_saml_session=%E0%A4%A' } }),
    400,
    /.+/,
  );
  const twice = await b.request(`${sso}?SAMLRequest=a&SAMLRequest=b`);
  refused(twice, 400, /.+/);
  // huge: a large form body, and a small deflated message that inflates past the limit
  refused(await post(b, sso, { SAMLRequest: 'A'.repeat(300 * 1024) }), 413, /too large/);
  const bomb = deflateRawSync(Buffer.alloc(2 * 1024 * 1024, 0x20)).toString('base64');
  refused(await b.go(`${sso}?SAMLRequest=${encodeURIComponent(bomb)}`), 413, /too large/);
  // wrong method and wrong content type
  const put = await b.request(sso, { method: 'PUT' });
  assert.equal(put.status, 405);
  assert.match(put.headers.get('allow') ?? '', /GET, POST/);
  const json = await b.request(sso, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  assert.ok(json.status >= 400 && json.status < 500, `json body: ${json.status}`);
  const slo = await b.request(`${f.url}/saml2/slo?SAMLResponse=${encodeURIComponent(bomb.slice(0, 100))}`);
  assert.ok(slo.status >= 400 && slo.status < 500, `slo garbage: ${slo.status}`);
  assert.equal((await b.request(`${f.url}/saml2/idp-init`)).status, 400);
});

test('arbitrary parameters and mangled messages on every endpoint: never a 500', async () => {
  const b = new Browser();
  const valid = authnRequest(open);
  const xmlish = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.constantFrom(
      valid,
      valid.replace('Version="2.0"', ''),
      valid.replace('ID="', 'ID="1'),
      valid.replace('<saml:Issuer>', '<saml:Issuer><!--x-->'),
    ),
    fc
      .tuple(fc.nat({ max: valid.length }), fc.string({ maxLength: 8 }))
      .map(([i, junk]) => valid.slice(0, i) + junk + valid.slice(i)),
  );
  const encoded = fc.oneof(
    xmlish.map((x) => Buffer.from(x).toString('base64')),
    xmlish.map((x) => deflateRawSync(Buffer.from(x)).toString('base64')),
    fc.string({ maxLength: 100 }),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('/saml2/sso', '/saml2/slo'),
      fc.constantFrom('SAMLRequest', 'SAMLResponse'),
      encoded,
      fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      fc.boolean(),
      async (path, param, message, relay, sigAlg, asPost) => {
        const fields: Record<string, string> = { [param]: message };
        if (relay !== undefined) fields.RelayState = relay;
        if (sigAlg !== undefined) Object.assign(fields, { SigAlg: sigAlg, Signature: 'AAAA' });
        const page = asPost
          ? await post(b, `${f.url}${path}`, fields)
          : await b.request(`${f.url}${path}?${new URLSearchParams(fields)}`);
        assert.ok(
          page.status < 500,
          `${page.status} for ${asPost ? 'POST' : 'GET'} ${path} ${JSON.stringify(fields).slice(0, 300)}`,
        );
      },
    ),
    { numRuns: 150 },
  );
});

test('requests that start a login are limited per client address: a page with 429, not a pile of pending logins', async () => {
  const limited = await startSaml({ overrides: { loginRateLimit: { postsPerMinute: 3 } } });
  try {
    const sp = await limited.addServiceProvider('limited');
    const b = new Browser();
    for (let i = 0; i < 3; i++)
      assert.equal((await post(b, `${limited.url}/saml2/sso`, { SAMLRequest: b64(authnRequest(sp)) })).status, 303);
    refused(await post(b, `${limited.url}/saml2/sso`, { SAMLRequest: b64(authnRequest(sp)) }), 429, /Too many/);
    // IdP-initiated SSO is counted on its own (here refused: this provider does not allow it)
    const idpInit = `${limited.url}/saml2/idp-init?sp=${encodeURIComponent(sp.issuer)}`;
    for (let i = 0; i < 3; i++) assert.equal((await b.request(idpInit)).status, 403);
    refused(await b.request(idpInit), 429, /Too many/);
    assert.equal((await b.request(`${limited.url}/saml2/metadata`)).status, 200, 'the metadata is not limited');
  } finally {
    await limited.stop();
  }
});
