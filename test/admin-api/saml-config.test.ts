/**
 * An application's SAML service provider settings through the admin API over real HTTP: create, read, replace and
 * remove; the Issuer unique across applications even when creates race; every validation rule with its near miss;
 * Import SP metadata (JSON and application/samlmetadata+xml, good, malformed, with a DTD, too large); the OpenAPI
 * document; OIDC refusing an application that speaks SAML only; and migration 0003 on rows written before it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Kysely, type Migration, Migrator } from 'kysely';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { isUniqueViolation } from '../../src/identity/subjects.js';
import { migrate, type OpenedDb, openDatabase } from '../../src/store/db.js';
import * as m0001 from '../../src/store/migrations/0001_initial.js';
import * as m0002 from '../../src/store/migrations/0002_user_identity.js';
import { suiteNeeding, variants } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { base64Of, selfSignedCertificate, spMetadata } from './saml-fixtures.js';
import { type Answer, client, clientToken, startAdminServer } from './support.js';

const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const fields = (a: Answer) => (a.body.errors ?? []).map((e: { field: string }) => e.field);
const messageOf = (a: Answer, field: string) =>
  (a.body.errors ?? []).find((e: { field: string }) => e.field === field)?.message as string | undefined;

const sp = selfSignedCertificate('pickup-dispatch-saml');
const other = selfSignedCertificate('pickup-dispatch-saml-encryption');

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `admin API: SAML service provider configuration on ${backend.name}`, () => {
    let server: TestServer;
    let call: ReturnType<typeof client>;
    let n = 0;
    const unique = (prefix: string) => `${prefix}-${++n}`;

    /** A SAML-only application (no OIDC grant), as the console's "SAML only" creates it. */
    const samlApp = (name: string, saml: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      call('POST', '/applications', { name, grantTypes: [], subjectClaimUri: ClaimUri.mobile, saml, ...extra });

    before(async () => {
      server = await startAdminServer(backend);
      call = client(server, await clientToken(server, { name: 'automation' }));
    });
    after(() => server?.stop());

    test('a SAML-only application: defaults filled in, no client secret, read back, found by its Issuer', async () => {
      const created = await samlApp('Pickup Dispatch SAML', {
        issuer: 'saml2-web-app-pickup-dispatch.com',
        assertionConsumerUrls: ['http://localhost:8081/saml2/acs'],
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.clientSecret, undefined, 'an application without OIDC grants got a client secret');
      const app = created.body.application;
      assert.deepEqual(app.grantTypes, []);
      assert.deepEqual(app.redirectUris, []);
      assert.equal(app.hasSecret, false);
      assert.deepEqual(app.saml, {
        issuer: 'saml2-web-app-pickup-dispatch.com',
        assertionConsumerUrls: ['http://localhost:8081/saml2/acs'],
        defaultAssertionConsumerUrl: 'http://localhost:8081/saml2/acs',
        nameIdFormat: UNSPECIFIED,
        signResponses: true,
        validateRequestSignatures: false,
        encryptAssertions: false,
        singleLogout: { enabled: false, binding: 'redirect' },
        attributeProfile: false,
        idpInitiated: false,
      });
      // the same sequence whatever the protocol: the default one here
      assert.deepEqual(app.steps, [{ options: [{ authenticator: 'password' }] }]);

      const read = await call('GET', `/applications/${app.id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body.saml, app.saml);
      const searched = await call('GET', '/applications?search=web-app-pickup');
      assert.deepEqual(
        searched.body.items.map((a: { id: string }) => a.id),
        [app.id],
        'the list is searched by SAML issuer too',
      );
      const found = await server.services.applications.getBySamlIssuer('saml2-web-app-pickup-dispatch.com');
      assert.equal(found?.id, app.id);
      assert.equal(await server.services.applications.getBySamlIssuer('saml2-web-app-pickup-dispatch.co'), undefined);
    });

    test('PUT replaces the SAML settings as a whole; the Issuer index follows the change', async () => {
      const created = await samlApp(unique('Replace'), {
        issuer: 'https://replace.example/sp',
        assertionConsumerUrls: ['https://replace.example/acs'],
      });
      assert.equal(created.status, 201, created.text);
      const id = created.body.application.id as string;
      const saml = {
        issuer: 'https://replace.example/sp2',
        assertionConsumerUrls: ['https://replace.example/acs', 'https://replace.example/acs2'],
        defaultAssertionConsumerUrl: 'https://replace.example/acs2',
        nameIdFormat: PERSISTENT,
        signResponses: false,
        validateRequestSignatures: true,
        encryptAssertions: true,
        certificate: sp.certificate,
        singleLogout: {
          enabled: true,
          url: 'https://replace.example/slo',
          responseUrl: 'https://replace.example/slo/response',
          binding: 'post',
        },
        attributeProfile: true,
        idpInitiated: true,
      };
      const updated = await call('PUT', `/applications/${id}`, { saml, requestedClaims: [ClaimUri.mobile] });
      assert.equal(updated.status, 200, updated.text);
      assert.deepEqual(updated.body.saml, { ...saml, certificate: sp.certificate.trim() });
      assert.equal((await call('GET', `/applications/${id}`)).body.saml.issuer, 'https://replace.example/sp2');
      assert.equal(await server.services.applications.getBySamlIssuer('https://replace.example/sp'), undefined);
      assert.equal((await server.services.applications.getBySamlIssuer('https://replace.example/sp2'))?.id, id);

      // the old Issuer is free again; a PUT without saml keeps the settings
      assert.equal(
        (
          await samlApp(unique('Takes old'), {
            issuer: 'https://replace.example/sp',
            assertionConsumerUrls: ['https://a.example/acs'],
          })
        ).status,
        201,
      );
      const kept = await call('PUT', `/applications/${id}`, { description: 'kept' });
      assert.equal(kept.status, 200, kept.text);
      assert.equal(kept.body.saml.issuer, 'https://replace.example/sp2');
      assert.equal(kept.body.saml.encryptAssertions, true);
    });

    test('an Issuer belongs to one application: create and update are refused with 409; near misses are other Issuers', async () => {
      const issuer = 'https://unique.example/sp';
      const first = await samlApp(unique('Unique'), { issuer, assertionConsumerUrls: ['https://unique.example/acs'] });
      assert.equal(first.status, 201, first.text);
      const again = await samlApp(unique('Unique'), { issuer, assertionConsumerUrls: ['https://unique.example/acs'] });
      assert.equal(again.status, 409, again.text);
      assert.equal(again.body.code, 'conflict');
      assert.match(again.body.detail, /SAML issuer/);

      // entity IDs compare exactly: a trailing slash or another case is another SP
      for (const near of [`${issuer}/`, issuer.toUpperCase()]) {
        const ok = await samlApp(unique('Near'), {
          issuer: near,
          assertionConsumerUrls: ['https://unique.example/acs'],
        });
        assert.equal(ok.status, 201, `${near}: ${ok.text}`);
      }
      const oidc = await call('POST', '/applications', {
        name: unique('OIDC app'),
        redirectUris: ['https://oidc.example/cb'],
      });
      assert.equal(oidc.status, 201, oidc.text);
      const taken = await call('PUT', `/applications/${oidc.body.application.id}`, {
        saml: { issuer, assertionConsumerUrls: ['https://oidc.example/acs'] },
      });
      assert.equal(taken.status, 409, taken.text);
      // re-saving its own Issuer is no conflict
      const self = await call('PUT', `/applications/${first.body.application.id}`, {
        saml: { issuer, assertionConsumerUrls: ['https://unique.example/acs2'] },
      });
      assert.equal(self.status, 200, self.text);
    });

    test('racing creates with one Issuer: exactly one wins, the others are 409, never a 500', async () => {
      const issuer = 'https://race.example/sp';
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          samlApp(`Race ${i}`, { issuer, assertionConsumerUrls: ['https://race.example/acs'] }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [201, ...Array(11).fill(409)], answers.map((a) => a.text).join('\n'));
      const rows = await server.services.db
        .selectFrom('applications')
        .select('id')
        .where('saml_issuer', '=', issuer)
        .execute();
      assert.equal(rows.length, 1);
    });

    test('racing past the reads (the store itself, not the cache): the unique index decides', async () => {
      // validate's read runs before either insert, so only the database's unique index can refuse the second
      const issuer = 'https://race2.example/sp';
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          server.services.applications.create({
            name: `Race2 ${i}`,
            grantTypes: [],
            saml: { issuer, assertionConsumerUrls: ['https://race2.example/acs'] },
          }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
        assert.equal((r.reason as Error).name, 'ConflictError', String(r.reason));
        assert.match((r.reason as Error).message, /SAML issuer/);
      }
      // the same for one name (the index the unique issuer joined): a conflict that says so, not a database error
      const named = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          server.services.applications.create({
            name: 'Race2 by name',
            grantTypes: [],
            saml: { issuer: `https://race2.example/sp/${i}`, assertionConsumerUrls: ['https://race2.example/acs'] },
          }),
        ),
      );
      assert.equal(named.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of named.filter((r): r is PromiseRejectedResult => r.status === 'rejected'))
        assert.match(String(r.reason), /ConflictError: an application with this name or client id exists already/);
    });

    test('every SAML rule is a field problem, each beside a value that passes', async () => {
      const acs = ['https://rules.example/acs'];
      const cases: { saml: Record<string, unknown>; field: string; message?: RegExp; extra?: object }[] = [
        { saml: { issuer: '', assertionConsumerUrls: acs }, field: 'saml.issuer', message: /required/ },
        {
          saml: { issuer: 'https://rules.example/s p', assertionConsumerUrls: acs },
          field: 'saml.issuer',
          message: /spaces/,
        },
        { saml: { issuer: 'https://rules.example/\tsp', assertionConsumerUrls: acs }, field: 'saml.issuer' },
        { saml: { issuer: `urn:${'x'.repeat(1021)}`, assertionConsumerUrls: acs }, field: 'saml.issuer' },
        {
          saml: { issuer: `urn:${'€'.repeat(1000)}`, assertionConsumerUrls: acs },
          field: 'saml.issuer',
          message: /bytes/,
        },
        { saml: { issuer: 'urn:rules:1', assertionConsumerUrls: [] }, field: 'saml.assertionConsumerUrls' },
        {
          saml: { issuer: 'urn:rules:2', assertionConsumerUrls: ['http://rules.example/acs'] },
          field: 'saml.assertionConsumerUrls[0]',
          message: /https/,
        },
        {
          saml: { issuer: 'urn:rules:3', assertionConsumerUrls: ['https://rules.example/acs#top'] },
          field: 'saml.assertionConsumerUrls[0]',
          message: /fragment/,
        },
        { saml: { issuer: 'urn:rules:4', assertionConsumerUrls: ['/acs'] }, field: 'saml.assertionConsumerUrls[0]' },
        {
          saml: { issuer: 'urn:rules:5', assertionConsumerUrls: ['javascript:alert(1)'] },
          field: 'saml.assertionConsumerUrls[0]',
        },
        {
          saml: { issuer: 'urn:rules:6', assertionConsumerUrls: [...acs, ...acs] },
          field: 'saml.assertionConsumerUrls[1]',
          message: /twice/,
        },
        {
          saml: {
            issuer: 'urn:rules:7',
            assertionConsumerUrls: acs,
            defaultAssertionConsumerUrl: 'https://rules.example/other',
          },
          field: 'saml.defaultAssertionConsumerUrl',
        },
        {
          saml: {
            issuer: 'urn:rules:8',
            assertionConsumerUrls: acs,
            nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos',
          },
          field: 'saml.nameIdFormat',
        },
        {
          saml: { issuer: 'urn:rules:9', assertionConsumerUrls: acs, certificate: 'not a certificate' },
          field: 'saml.certificate',
          message: /PEM/,
        },
        {
          saml: {
            issuer: 'urn:rules:10',
            assertionConsumerUrls: acs,
            certificate: sp.certificate.replace(/^(-----BEGIN CERTIFICATE-----\n)(.{10})/, '$1AAAAAAAAAA'),
          },
          field: 'saml.certificate',
          message: /parseable/,
        },
        {
          saml: {
            issuer: 'urn:rules:11',
            assertionConsumerUrls: acs,
            certificate: `${sp.certificate}\n${sp.privateKey}`,
          },
          field: 'saml.certificate',
          message: /private key/,
        },
        {
          saml: {
            issuer: 'urn:rules:11b',
            assertionConsumerUrls: acs,
            certificate: `${sp.certificate}\n${other.certificate}`,
          },
          field: 'saml.certificate',
          message: /one certificate/,
        },
        {
          saml: { issuer: 'urn:rules:12', assertionConsumerUrls: acs, validateRequestSignatures: true },
          field: 'saml.certificate',
          message: /signatures/,
        },
        {
          saml: { issuer: 'urn:rules:13', assertionConsumerUrls: acs, encryptAssertions: true },
          field: 'saml.certificate',
          message: /encrypt/,
        },
        {
          saml: { issuer: 'urn:rules:14', assertionConsumerUrls: acs, singleLogout: { enabled: true } },
          field: 'saml.singleLogout.url',
          message: /required/,
        },
        {
          saml: {
            issuer: 'urn:rules:15',
            assertionConsumerUrls: acs,
            singleLogout: { enabled: true, url: 'http://rules.example/slo' },
          },
          field: 'saml.singleLogout.url',
        },
        {
          saml: {
            issuer: 'urn:rules:16',
            assertionConsumerUrls: acs,
            singleLogout: { enabled: true, url: 'https://rules.example/slo', responseUrl: 'ftp://rules.example/r' },
          },
          field: 'saml.singleLogout.responseUrl',
        },
        { saml: { issuer: 'urn:rules:17', assertionConsumerUrls: acs, colour: 'red' }, field: 'saml.colour' },
        {
          saml: { issuer: 'urn:rules:18', assertionConsumerUrls: acs, signResponses: 'yes' },
          field: 'saml.signResponses',
        },
        { saml: { assertionConsumerUrls: acs }, field: 'saml.issuer' },
      ];
      for (const c of cases) {
        const res = await samlApp(unique('Rules'), c.saml);
        assert.equal(res.status, 400, `${JSON.stringify(c.saml).slice(0, 120)}: ${res.text}`);
        assert.equal(res.body.code, 'validation-failed');
        assert.ok(fields(res).includes(c.field), `${c.field} not among ${fields(res).join()} (${res.text})`);
        if (c.message) assert.match(messageOf(res, c.field) ?? '', c.message);
      }

      // the near misses pass: 1024 characters, http to a loopback host, a PEM certificate with its flags
      const passing: Record<string, unknown>[] = [
        { issuer: `urn:${'x'.repeat(1020)}`, assertionConsumerUrls: acs },
        { issuer: `urn:${'€'.repeat(680)}`, assertionConsumerUrls: acs },
        { issuer: 'urn:rules:ok:1', assertionConsumerUrls: ['http://localhost:8081/acs', 'http://127.0.0.1:8081/acs'] },
        { issuer: 'urn:rules:ok:2', assertionConsumerUrls: ['http://[::1]:8081/acs', 'http://sp.localhost/acs'] },
        {
          issuer: 'urn:rules:ok:3',
          assertionConsumerUrls: acs,
          certificate: sp.certificate,
          validateRequestSignatures: true,
          encryptAssertions: true,
          singleLogout: { enabled: true, url: 'https://rules.example/slo' },
          nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        },
        // a disabled Single Logout needs no URL; an empty certificate is none
        { issuer: 'urn:rules:ok:4', assertionConsumerUrls: acs, singleLogout: { enabled: false }, certificate: '' },
      ];
      for (const saml of passing) {
        const res = await samlApp(unique('Passes'), saml);
        assert.equal(res.status, 201, `${JSON.stringify(saml).slice(0, 120)}: ${res.text}`);
      }
    });

    test('an application needs OIDC or SAML: no grant type and no SAML is a problem; removing SAML from a SAML-only one too', async () => {
      const neither = await call('POST', '/applications', { name: unique('Neither'), grantTypes: [] });
      assert.equal(neither.status, 400);
      assert.deepEqual(fields(neither), ['grantTypes']);

      const only = await samlApp(unique('Only'), {
        issuer: 'urn:only',
        assertionConsumerUrls: ['https://only.example/acs'],
      });
      assert.equal(only.status, 201, only.text);
      const removed = await call('DELETE', `/applications/${only.body.application.id}/saml`);
      assert.equal(removed.status, 400, removed.text);
      assert.deepEqual(fields(removed), ['grantTypes']);

      const both = await call('POST', '/applications', {
        name: unique('Both'),
        redirectUris: ['https://both.example/cb'],
        saml: { issuer: 'urn:both', assertionConsumerUrls: ['https://both.example/acs'] },
      });
      assert.equal(both.status, 201, both.text);
      assert.ok(both.body.clientSecret, 'an OIDC application keeps its secret');
      const id = both.body.application.id as string;
      assert.equal((await call('DELETE', `/applications/${id}/saml`)).status, 204);
      const read = await call('GET', `/applications/${id}`);
      assert.equal(read.body.saml, undefined);
      assert.equal(await server.services.applications.getBySamlIssuer('urn:both'), undefined);
      assert.equal((await call('DELETE', '/applications/a_nope/saml')).status, 404);
    });

    test('OIDC refuses an application that speaks SAML only (a clear 400, not a login and not a 500)', async () => {
      const only = await samlApp(unique('No OIDC'), {
        issuer: 'urn:no-oidc',
        assertionConsumerUrls: ['https://no-oidc.example/acs'],
      });
      assert.equal(only.status, 201, only.text);
      const clientId = only.body.application.clientId as string;
      const auth = await fetch(
        `${server.url}/oidc/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://no-oidc.example/acs')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
        { redirect: 'manual' },
      );
      const authText = await auth.text();
      assert.equal(auth.status, 400, authText);
      assert.match(authText, /invalid_client|client is invalid/i);
      const token = await fetch(`${server.url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&client_id=${clientId}`,
      });
      const tokenText = await token.text();
      assert.equal(token.status, 401, tokenText);
      assert.equal((JSON.parse(tokenText) as { error: string }).error, 'invalid_client');
    });

    const goodMetadata = (entityId: string) =>
      spMetadata({
        entityId,
        acs: [
          ['HTTP-Redirect', 'https://meta.example/acs/redirect', 0],
          ['HTTP-POST', 'https://meta.example/acs/2', 2],
          ['HTTP-POST', 'https://meta.example/acs/1', 1, true],
          ['HTTP-Artifact', 'https://meta.example/acs/artifact', 3],
        ],
        slo: {
          binding: 'HTTP-Redirect',
          location: 'https://meta.example/slo',
          responseLocation: 'https://meta.example/slo/done',
        },
        signing: sp.certificate,
        nameIdFormats: [PERSISTENT],
        authnRequestsSigned: true,
      });

    test('Import SP metadata (JSON and application/samlmetadata+xml): fills the settings, keeps the rest, warns', async () => {
      const created = await samlApp(unique('Meta'), {
        issuer: 'urn:before-import',
        assertionConsumerUrls: ['https://before.example/acs'],
        signResponses: false,
        attributeProfile: true,
        idpInitiated: true,
      });
      assert.equal(created.status, 201, created.text);
      const id = created.body.application.id as string;

      const imported = await call('POST', `/applications/${id}/saml/metadata`, {
        xml: goodMetadata('https://meta.example/sp'),
      });
      assert.equal(imported.status, 200, imported.text);
      assert.deepEqual(imported.body.application.saml, {
        issuer: 'https://meta.example/sp',
        assertionConsumerUrls: ['https://meta.example/acs/1', 'https://meta.example/acs/2'],
        defaultAssertionConsumerUrl: 'https://meta.example/acs/1',
        nameIdFormat: PERSISTENT,
        // the administrator's choices the metadata does not speak of
        signResponses: false,
        attributeProfile: true,
        idpInitiated: true,
        encryptAssertions: false,
        validateRequestSignatures: true,
        certificate: sp.certificate.trim(),
        singleLogout: {
          enabled: true,
          url: 'https://meta.example/slo',
          responseUrl: 'https://meta.example/slo/done',
          binding: 'redirect',
        },
      });
      assert.equal(imported.body.warnings.length, 1, imported.body.warnings.join('\n'));
      assert.match(imported.body.warnings[0], /2 Assertion Consumer Service\(s\) left out.*HTTP-POST/);
      assert.equal((await server.services.applications.getBySamlIssuer('https://meta.example/sp'))?.id, id);

      // the XML itself, with its media type; two certificates: the signing one kept, a warning says so
      const raw = await call(
        'POST',
        `/applications/${id}/saml/metadata`,
        spMetadata({
          entityId: 'https://meta.example/sp-raw',
          acs: [['HTTP-POST', 'https://meta.example/raw/acs', 0]],
          encryption: other.certificate,
          signing: sp.certificate,
        }),
        { 'content-type': 'application/samlmetadata+xml' },
      );
      assert.equal(raw.status, 200, raw.text);
      assert.equal(raw.body.application.saml.issuer, 'https://meta.example/sp-raw');
      assert.equal(raw.body.application.saml.certificate, sp.certificate.trim());
      assert.equal(raw.body.application.saml.validateRequestSignatures, false);
      // a NameID format the metadata leaves out stays as it was
      assert.equal(raw.body.application.saml.nameIdFormat, PERSISTENT);
      assert.equal(raw.body.application.saml.singleLogout.enabled, false);
      assert.match(raw.body.warnings.join('\n'), /more than one certificate/);

      const audit = await call('GET', '/audit-events?event=admin.application.saml-metadata-import');
      assert.ok(audit.text.includes('https://meta.example/sp-raw'), audit.text.slice(0, 300));
    });

    test('reading metadata without saving: POST /saml/sp-metadata answers the settings and changes nothing', async () => {
      const before = (await server.services.applications.list()).length;
      const res = await call('POST', '/saml/sp-metadata', { xml: goodMetadata('https://read-only.example/sp') });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.saml.issuer, 'https://read-only.example/sp');
      assert.deepEqual(res.body.saml.assertionConsumerUrls, [
        'https://meta.example/acs/1',
        'https://meta.example/acs/2',
      ]);
      assert.equal(res.body.saml.certificate, sp.certificate.trim());
      assert.equal((await server.services.applications.list()).length, before);
      assert.equal(await server.services.applications.getBySamlIssuer('https://read-only.example/sp'), undefined);
    });

    test('bad metadata is a 400 on the xml field: malformed, not metadata, no SP, no POST ACS, several SPs, a DTD', async () => {
      const created = await samlApp(unique('Bad meta'), {
        issuer: 'urn:bad-meta',
        assertionConsumerUrls: ['https://bad.example/acs'],
      });
      const id = created.body.application.id as string;
      const entity = (inner: string, attrs = 'entityID="urn:x"') =>
        `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ${attrs}>${inner}</md:EntityDescriptor>`;
      const spd = (inner: string) =>
        `<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${inner}</md:SPSSODescriptor>`;
      const postAcs =
        '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://x.example/acs" index="0"/>';
      const bomb = `<?xml version="1.0"?><!DOCTYPE md [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${entity(spd(postAcs), 'entityID="&c;"')}`;
      const external = `<?xml version="1.0"?><!DOCTYPE foo SYSTEM "http://127.0.0.1:1/evil.dtd">${entity(spd(postAcs))}`;
      const cases: [string, string, RegExp][] = [
        [
          'malformed',
          '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:x">',
          /well-formed/,
        ],
        ['not XML at all', 'entityID=urn:x', /well-formed|not SAML/],
        ['another root', '<html><body>metadata</body></html>', /not SAML 2.0 metadata/],
        ['the right name in another namespace', '<EntityDescriptor entityID="urn:x"/>', /not SAML 2.0 metadata/],
        ['no entityID', entity(spd(postAcs), ''), /entityID/],
        [
          'an IdP, not an SP',
          entity('<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>'),
          /no SPSSODescriptor/,
        ],
        [
          'SAML 1.1 only',
          entity('<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"/>'),
          /SAML 2.0 protocol/,
        ],
        [
          'no POST ACS',
          entity(
            spd(
              '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://x.example/a" index="0"/>',
            ),
          ),
          /HTTP-POST/,
        ],
        [
          'two SPs in an aggregate',
          `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${entity(spd(postAcs)).replace(/ xmlns:md="[^"]+"/, '')}${entity(spd(postAcs), 'entityID="urn:y"').replace(/ xmlns:md="[^"]+"/, '')}</md:EntitiesDescriptor>`,
          /2 service providers/,
        ],
        ['entity expansion (billion laughs)', bomb, /DOCTYPE/],
        ['an external DTD', external, /DOCTYPE/],
        ['a DOCTYPE in lower case', `<!doctype x>${entity(spd(postAcs))}`, /DOCTYPE/],
      ];
      for (const [what, xml, message] of cases) {
        const res = await call('POST', `/applications/${id}/saml/metadata`, { xml });
        assert.equal(res.status, 400, `${what}: ${res.text}`);
        assert.deepEqual(fields(res), ['xml'], `${what}: ${res.text}`);
        assert.match(messageOf(res, 'xml') ?? '', message, what);
      }
      // an ACS URL the metadata names that the rules refuse is a problem of the settings, after the import
      const plain = await call('POST', `/applications/${id}/saml/metadata`, {
        xml: entity(spd(postAcs.replace('https://x.example', 'http://x.example')), 'entityID="urn:plain"'),
      });
      assert.equal(plain.status, 400, plain.text);
      assert.deepEqual(fields(plain), ['saml.assertionConsumerUrls[0]']);
      // the near miss of all of them: the same document, well made, imports
      const good = await call('POST', `/applications/${id}/saml/metadata`, {
        xml: entity(spd(postAcs), 'entityID="urn:good"'),
      });
      assert.equal(good.status, 200, good.text);
      assert.equal((await call('GET', `/applications/${id}`)).body.saml.issuer, 'urn:good');
    });

    test('metadata: too large is 413, another media type 415, an unknown application 404, a taken entityID 409', async () => {
      const created = await samlApp(unique('Limits'), {
        issuer: 'urn:limits',
        assertionConsumerUrls: ['https://limits.example/acs'],
      });
      const id = created.body.application.id as string;
      const padding = `<!-- ${'x'.repeat(600 * 1024)} -->`;
      const huge = await call('POST', `/applications/${id}/saml/metadata`, `${goodMetadata('urn:huge')}${padding}`, {
        'content-type': 'application/samlmetadata+xml',
      });
      assert.equal(huge.status, 413, huge.text.slice(0, 300));
      const longJson = await call('POST', `/applications/${id}/saml/metadata`, {
        xml: `${goodMetadata('urn:huge')}<!-- ${'x'.repeat(300 * 1024)} -->`,
      });
      assert.equal(longJson.status, 400, longJson.text.slice(0, 300));
      assert.deepEqual(fields(longJson), ['xml']);
      const textPlain = await call('POST', `/applications/${id}/saml/metadata`, goodMetadata('urn:plain'), {
        'content-type': 'text/plain',
      });
      assert.equal(textPlain.status, 415, textPlain.text);
      assert.equal(
        (await call('POST', '/applications/a_nope/saml/metadata', { xml: goodMetadata('urn:nope') })).status,
        404,
      );
      const taken = await call('POST', `/applications/${id}/saml/metadata`, {
        xml: goodMetadata('saml2-web-app-pickup-dispatch.com'),
      });
      assert.equal(taken.status, 409, taken.text);
      // XML sent to a route that takes JSON is refused by that route's schema
      const elsewhere = await call('POST', '/applications', goodMetadata('urn:elsewhere'), {
        'content-type': 'application/samlmetadata+xml',
      });
      assert.equal(elsewhere.status, 400, elsewhere.text);
      // an import needs a token like every other call
      const anonymous = await client(server, undefined)('POST', `/applications/${id}/saml/metadata`, {
        xml: goodMetadata('urn:anon'),
      });
      assert.equal(anonymous.status, 401);
    });

    test('the OpenAPI document describes the SAML settings and both ways of sending metadata', async () => {
      const doc = (await call('GET', '/openapi.json')).body;
      const schemas = doc.components.schemas;
      assert.ok(schemas.SamlServiceProvider.properties.issuer.description.includes('entity ID'));
      assert.deepEqual(schemas.Application.properties.saml, { $ref: '#/components/schemas/SamlServiceProvider' });
      assert.deepEqual(schemas.ApplicationCreate.properties.saml, {
        $ref: '#/components/schemas/SamlServiceProviderInput',
      });
      const importOp = doc.paths['/applications/{id}/saml/metadata'].post;
      assert.deepEqual(Object.keys(importOp.requestBody.content), [
        'application/json',
        'application/samlmetadata+xml',
        'application/xml',
        'text/xml',
      ]);
      assert.equal(importOp.requestBody.content['application/samlmetadata+xml'].schema.type, 'string');
      assert.ok(importOp.responses['413'] && importOp.responses['404'] && importOp.responses['409']);
      assert.ok(doc.paths['/saml/sp-metadata'].post);
      assert.ok(doc.paths['/applications/{id}/saml'].delete);
    });

    test('a certificate is stored in one canonical PEM form, whatever line breaks it came with', async () => {
      const crlf = sp.certificate.replace(/\n/g, '\r\n');
      const res = await samlApp(unique('Canonical'), {
        issuer: 'urn:canonical',
        assertionConsumerUrls: ['https://canonical.example/acs'],
        certificate: `\n  ${crlf}  \n`,
      });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.application.saml.certificate, sp.certificate.trim());
      assert.ok(base64Of(res.body.application.saml.certificate) === base64Of(sp.certificate));
    });
  });
}

// Migration 0003 on a database written before it: SAML settings already in an application's settings JSON (the demo
// stored them so before the column existed) get their issuer into saml_issuer; a second holder of one issuer is
// reported and left without, and the unique index then holds.
for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `migration 0003 (saml_issuer) on ${backend.name}`, () => {
    let made: Awaited<ReturnType<typeof backend.create>>;
    let opened: OpenedDb;
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);

    before(async () => {
      made = await backend.create();
      opened = openDatabase(made.url);
      const before0003 = new Migrator({
        db: opened.db,
        provider: {
          getMigrations: async () => ({ '0001_initial': m0001 as Migration, '0002_user_identity': m0002 as Migration }),
        },
      });
      assert.equal((await before0003.migrateToLatest()).error, undefined);
      const settings = (issuer?: string) =>
        JSON.stringify({
          grantTypes: [],
          redirectUris: [],
          ...(issuer ? { saml: { issuer, assertionConsumerUrls: ['https://old.example/acs'] } } : {}),
        });
      // biome-ignore lint/suspicious/noExplicitAny: the table as it was before 0003, without saml_issuer
      const old = opened.db as unknown as Kysely<any>;
      for (const [i, issuer] of ['urn:old:one', 'urn:old:twice', 'urn:old:twice', undefined].entries())
        await old
          .insertInto('applications')
          .values({
            id: `a_old${i}`,
            name: `Old ${i}`,
            description: '',
            client_id: `old-${i}`,
            client_secret_sealed: null,
            settings: settings(issuer),
            created_at: i,
            updated_at: i,
          })
          .execute();
      process.on('warning', onWarning);
      await migrate(opened.db);
      // a process warning is emitted on a later tick (on SQLite the whole migration may be one chain of microtasks)
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
    });
    after(async () => {
      await opened?.close();
      await made?.drop();
    });

    test('issuers already stored are indexed; a duplicate is reported and left out; the index holds', async () => {
      const rows = await opened.db.selectFrom('applications').select(['id', 'saml_issuer']).orderBy('id').execute();
      assert.deepEqual(rows, [
        { id: 'a_old0', saml_issuer: 'urn:old:one' },
        { id: 'a_old1', saml_issuer: 'urn:old:twice' },
        { id: 'a_old2', saml_issuer: null },
        { id: 'a_old3', saml_issuer: null },
      ]);
      assert.ok(
        warnings.some((w) => /migration 0003: application a_old2 shares its SAML issuer/.test(w)),
        `warnings: ${JSON.stringify(warnings)}`,
      );
      await assert.rejects(
        opened.db.updateTable('applications').set({ saml_issuer: 'urn:old:one' }).where('id', '=', 'a_old3').execute(),
        (e: unknown) => isUniqueViolation(e),
      );
    });
  });
}
