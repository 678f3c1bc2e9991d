/**
 * The SAML settings as configuration as code, through the `stepgate` command as a real process: `apply` creates the
 * guide's SAML Pickup Dispatch (Username & Password → smsOTP, as for OIDC) and is idempotent, `export` writes the
 * SAML settings back with their defaults, the export applied to a fresh database reproduces them, a SAML
 * mistake names the line of the field at fault, and `samlMetadata` imports an SP's metadata file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { selfSignedCertificate, spMetadata } from '../admin-api/saml-fixtures.js';
import { type Backend, suiteNeeding, variants } from '../support/backends.js';
import { runStepgate } from './support.js';

const cert = selfSignedCertificate('saml2-web-app-pickup-dispatch.com');
const indented = (text: string, spaces: number) =>
  text
    .trim()
    .split('\n')
    .map((l) => `${' '.repeat(spaces)}${l}`)
    .join('\n');

const SETUP = `identityProviders:
  - name: smsOTP
    authenticators:
      - type: sms-otp
        config:
          gateway:
            url: https://sms.example/send
            method: POST
            payload: '{"to":"$ctx.num","text":"$ctx.msg"}'
applications:
  - name: Pickup Dispatch (SAML)
    description: the guide's sample as a SAML service provider
    grantTypes: []
    subjectClaimUri: http://wso2.org/claims/mobile
    requestedClaims: [http://wso2.org/claims/mobile]
    steps:
      - [password]
      - [smsOTP:sms-otp]
    saml:
      issuer: saml2-web-app-pickup-dispatch.com
      assertionConsumerUrls:
        - http://localhost:8081/saml2/acs
        - https://pickup.example/saml2/acs
      defaultAssertionConsumerUrl: https://pickup.example/saml2/acs
      nameIdFormat: urn:oasis:names:tc:SAML:2.0:nameid-format:persistent
      validateRequestSignatures: true
      certificate: |
${indented(cert.certificate, 8)}
      singleLogout:
        enabled: true
        url: http://localhost:8081/saml2/slo
      attributeProfile: true
      idpInitiated: true
`;

interface Exported {
  applications: { name: string; saml?: Record<string, unknown>; steps: string[][]; grantTypes: string[] }[];
}

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `stepgate apply / export with SAML settings on ${backend.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-saml-cli-'));
    const made: { drop(): Promise<void> }[] = [];

    /** A config file for a new, empty database of this back end. */
    async function configFor(name: string, b: Backend): Promise<string> {
      const db = await b.create();
      made.push(db);
      const file = join(dir, `${name}.yaml`);
      writeFileSync(
        file,
        `dataDir: ${db.dataDir}\ndatabaseUrl: ${db.url}\nmasterKey: ${Buffer.alloc(32, 5).toString('base64')}\n`,
      );
      return file;
    }

    let config: string;
    before(async () => {
      config = await configFor('stepgate', backend);
      writeFileSync(join(dir, 'setup.yaml'), SETUP);
    });
    after(async () => {
      for (const db of made) await db.drop();
    });

    test('apply creates the SAML Pickup Dispatch with the guide steps; a second apply only updates', async () => {
      const first = await runStepgate(config, ['apply', '-f', join(dir, 'setup.yaml')]);
      assert.equal(first.code, 0, first.err);
      assert.match(first.out, /created {2}application Pickup Dispatch \(SAML\)/);
      const again = await runStepgate(config, ['apply', '-f', join(dir, 'setup.yaml')]);
      assert.equal(again.code, 0, again.err);
      assert.match(again.out, /updated {2}application Pickup Dispatch \(SAML\)/);
      assert.doesNotMatch(again.out, /created {2}application/);
    });

    test('export writes the SAML settings with their defaults, and the certificate', async () => {
      const out = join(dir, 'export.yaml');
      const exported = await runStepgate(config, ['export', '-o', out]);
      assert.equal(exported.code, 0, exported.err);
      const doc = parse(readFileSync(out, 'utf8')) as Exported;
      assert.equal(doc.applications.length, 1);
      const app = doc.applications[0]!;
      assert.deepEqual(app.grantTypes, []);
      assert.deepEqual(app.steps, [['password'], ['smsOTP:sms-otp']]);
      assert.deepEqual(app.saml, {
        issuer: 'saml2-web-app-pickup-dispatch.com',
        assertionConsumerUrls: ['http://localhost:8081/saml2/acs', 'https://pickup.example/saml2/acs'],
        defaultAssertionConsumerUrl: 'https://pickup.example/saml2/acs',
        nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        // defaults, written out so the file says what runs
        signResponses: true,
        validateRequestSignatures: true,
        encryptAssertions: false,
        certificate: cert.certificate.trim(),
        singleLogout: { enabled: true, url: 'http://localhost:8081/saml2/slo', binding: 'redirect' },
        attributeProfile: true,
        idpInitiated: true,
      });
    });

    test('the export applied to a fresh database reproduces the SAML settings', async () => {
      const fresh = await configFor('fresh', backend);
      const applied = await runStepgate(fresh, ['apply', '-f', join(dir, 'export.yaml')]);
      assert.equal(applied.code, 0, `${applied.out}\n${applied.err}`);
      const out = join(dir, 'export-fresh.yaml');
      assert.equal((await runStepgate(fresh, ['export', '-o', out])).code, 0);
      const a = parse(readFileSync(join(dir, 'export.yaml'), 'utf8')) as Exported;
      const b = parse(readFileSync(out, 'utf8')) as Exported;
      assert.deepEqual(b.applications, a.applications);
    });

    test('a SAML mistake names the line of its field; a second SP with the same Issuer is refused', async () => {
      const badUrl = SETUP.replace('- https://pickup.example/saml2/acs', '- http://pickup.example/saml2/acs');
      writeFileSync(join(dir, 'bad-url.yaml'), badUrl);
      const line = badUrl.split('\n').findIndex((l) => l.includes('- http://pickup.example/saml2/acs')) + 1;
      const refused = await runStepgate(config, ['apply', '-f', join(dir, 'bad-url.yaml')]);
      assert.equal(refused.code, 1, refused.out);
      assert.match(
        refused.err,
        new RegExp(`bad-url.yaml line ${line} \\(applications.0\\): saml.assertionConsumerUrls\\[1\\]: .*https`),
      );
      assert.doesNotMatch(refused.err, / {4}at /);

      const typo = SETUP.replace('attributeProfile: true', 'attributeProfile: sometimes');
      writeFileSync(join(dir, 'typo.yaml'), typo);
      const typoLine = typo.split('\n').findIndex((l) => l.includes('attributeProfile: sometimes')) + 1;
      const typed = await runStepgate(config, ['apply', '-f', join(dir, 'typo.yaml')]);
      assert.equal(typed.code, 1);
      assert.match(typed.err, new RegExp(`typo.yaml line ${typoLine} \\(applications.0.saml.attributeProfile\\)`));

      const twin = SETUP.replace('name: Pickup Dispatch (SAML)', 'name: Pickup Dispatch twin');
      writeFileSync(join(dir, 'twin.yaml'), twin);
      const conflict = await runStepgate(config, ['apply', '-f', join(dir, 'twin.yaml')]);
      assert.equal(conflict.code, 1, conflict.out);
      assert.match(conflict.err, /SAML issuer \(entity ID\) "saml2-web-app-pickup-dispatch.com"/);
      // nothing of the refused files landed
      const out = join(dir, 'after.yaml');
      assert.equal((await runStepgate(config, ['export', '-o', out])).code, 0);
      const doc = parse(readFileSync(out, 'utf8')) as Exported;
      assert.deepEqual(
        doc.applications.map((a) => a.name),
        ['Pickup Dispatch (SAML)'],
      );
      assert.deepEqual(doc.applications[0]!.saml!.assertionConsumerUrls, [
        'http://localhost:8081/saml2/acs',
        'https://pickup.example/saml2/acs',
      ]);
    });

    test('samlMetadata: an SP metadata file (relative to the setup file) gives the Issuer and URLs; saml sets the rest', async () => {
      const metadataCert = selfSignedCertificate('metadata-sp');
      writeFileSync(
        join(dir, 'sp-metadata.xml'),
        spMetadata({
          entityId: 'https://metadata-sp.example/saml',
          acs: [
            ['HTTP-POST', 'https://metadata-sp.example/acs', 0, true],
            ['HTTP-Redirect', 'https://metadata-sp.example/acs-redirect', 1],
          ],
          slo: { binding: 'HTTP-Redirect', location: 'https://metadata-sp.example/slo' },
          signing: metadataCert.certificate,
          authnRequestsSigned: true,
        }),
      );
      const file = `applications:
  - name: From metadata
    grantTypes: []
    samlMetadata:
      file: sp-metadata.xml
    saml:
      attributeProfile: true
`;
      writeFileSync(join(dir, 'metadata.yaml'), file);
      const applied = await runStepgate(config, ['apply', '-f', join(dir, 'metadata.yaml')]);
      assert.equal(applied.code, 0, `${applied.out}\n${applied.err}`);
      const out = join(dir, 'export-metadata.yaml');
      assert.equal((await runStepgate(config, ['export', '-o', out])).code, 0);
      const app = (parse(readFileSync(out, 'utf8')) as Exported).applications.find((a) => a.name === 'From metadata');
      assert.deepEqual(app?.saml, {
        issuer: 'https://metadata-sp.example/saml',
        assertionConsumerUrls: ['https://metadata-sp.example/acs'],
        defaultAssertionConsumerUrl: 'https://metadata-sp.example/acs',
        nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
        signResponses: true,
        validateRequestSignatures: true,
        encryptAssertions: false,
        certificate: metadataCert.certificate.trim(),
        singleLogout: { enabled: true, url: 'https://metadata-sp.example/slo', binding: 'redirect' },
        attributeProfile: true,
        idpInitiated: false,
      });

      // metadata with a DTD, and a file that is not there: the line of samlMetadata.file, nothing applied
      writeFileSync(join(dir, 'dtd.xml'), '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>');
      for (const [metadataFile, message] of [
        ['dtd.xml', /DOCTYPE/],
        ['missing.xml', /cannot be read: ENOENT/],
      ] as const) {
        const bad = file
          .replace('name: From metadata', `name: Bad ${metadataFile}`)
          .replace('sp-metadata.xml', metadataFile);
        writeFileSync(join(dir, 'bad-metadata.yaml'), bad);
        const line = bad.split('\n').findIndex((l) => l.includes(`file: ${metadataFile}`)) + 1;
        const refused = await runStepgate(config, ['apply', '-f', join(dir, 'bad-metadata.yaml')]);
        assert.equal(refused.code, 1, refused.out);
        assert.match(
          refused.err,
          new RegExp(`bad-metadata.yaml line ${line} \\(applications.0\\): samlMetadata.file: `),
        );
        assert.match(refused.err, message);
      }
      const both = file.replace('file: sp-metadata.xml', 'file: sp-metadata.xml\n      xml: "<x/>"');
      writeFileSync(join(dir, 'both.yaml'), both);
      const twice = await runStepgate(config, ['apply', '-f', join(dir, 'both.yaml')]);
      assert.equal(twice.code, 1);
      assert.match(twice.err, /samlMetadata: give either file or xml/);
    });
  });
}
