/**
 * The console's SAML screens in Chromium, in WSO2's words: a SAML-only service provider made from the Add page
 * (Inbound Authentication Configuration › SAML2 Web SSO Configuration) and shown again after a reload; Import SP
 * metadata from a file fills the form and Update saves it; pasted metadata with a DTD and a plain-http Assertion
 * Consumer URL are errors shown next to their fields; unticking SAML2 Web SSO removes the configuration.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { selfSignedCertificate, spMetadata } from '../admin-api/saml-fixtures.js';
import type { TestServer } from '../support/server.js';
import { screenshot, signedInConsole, skipReason } from './support.js';

const skip = skipReason();
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const sp = selfSignedCertificate('saml2-web-app-pickup-dispatch.com');

describe('console: SAML2 Web SSO Configuration of a service provider', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let samlAppId = '';

  before(async () => {
    ({ server, browser, context, page } = await signedInConsole({
      viewport: { width: 1280, height: 900 },
      prepare: (p) => p.on('dialog', (d) => void d.accept()),
    }));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  const saml = () => page.locator('#inbound-saml');
  const value = (label: string) => saml().getByLabel(label).inputValue();
  const checked = (label: string) => saml().getByLabel(label).isChecked();
  const saved = () =>
    page
      .getByRole('status')
      .filter({ hasText: /^Saved / })
      .waitFor();

  test('a SAML-only service provider: filled in, added, and the same after a reload', async () => {
    await page.goto(`${server.url}/console/applications/new`);
    await page.getByRole('heading', { level: 1, name: 'Add Service Provider' }).waitFor();
    await page.getByLabel('Service Provider Name').fill('Pickup Dispatch SAML');
    // the OIDC part is its own section; a SAML-only service provider has none
    await page.locator('#inbound-oidc').getByLabel('Configure OAuth/OpenID Connect').uncheck();
    assert.equal(await page.getByLabel('Callback URLs (redirect URIs)').count(), 0);
    await saml().getByLabel('Configure SAML2 Web SSO').check();
    await saml().getByLabel('Issuer').fill('saml2-web-app-pickup-dispatch.com');
    await saml()
      .getByLabel('Assertion Consumer URLs')
      .fill('http://localhost:8081/saml2/acs\nhttps://pickup.example/saml2/acs');
    await saml().getByLabel('Default Assertion Consumer URL').selectOption('https://pickup.example/saml2/acs');
    await saml().getByLabel('NameID format').selectOption(PERSISTENT);
    await saml().getByLabel('Enable Signature Validation in Authentication Requests and Logout Requests').check();
    await saml().getByLabel('Certificate', { exact: true }).fill(sp.certificate);
    await saml().getByLabel('Enable Single Logout').check();
    await saml().getByLabel('SLO Request URL').fill('http://localhost:8081/saml2/slo');
    await saml().getByLabel('Enable Attribute Profile').check();
    await saml().getByLabel('Enable IdP Initiated SSO').check();
    await screenshot(page, 'saml-configuration', { top: '#inbound' });
    await page.getByRole('button', { name: 'Add', exact: true }).click();

    // no client secret to show: the console goes straight to the new service provider
    await page.getByRole('heading', { level: 1, name: 'Edit Pickup Dispatch SAML' }).waitFor();
    samlAppId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const stored = (await server.services.applications.get(samlAppId))!;
    assert.deepEqual(stored.grantTypes, []);
    assert.equal(stored.hasSecret, false);
    assert.equal(stored.saml?.issuer, 'saml2-web-app-pickup-dispatch.com');
    assert.equal(stored.saml?.defaultAssertionConsumerUrl, 'https://pickup.example/saml2/acs');
    assert.equal(stored.saml?.singleLogout.url, 'http://localhost:8081/saml2/slo');

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Edit Pickup Dispatch SAML' }).waitFor();
    assert.equal(await page.locator('#inbound-oidc').getByLabel('Configure OAuth/OpenID Connect').isChecked(), false);
    assert.equal(await checked('Configure SAML2 Web SSO'), true);
    assert.equal(await value('Issuer'), 'saml2-web-app-pickup-dispatch.com');
    assert.equal(
      await value('Assertion Consumer URLs'),
      'http://localhost:8081/saml2/acs\nhttps://pickup.example/saml2/acs',
    );
    assert.equal(await value('Default Assertion Consumer URL'), 'https://pickup.example/saml2/acs');
    assert.equal(await value('NameID format'), PERSISTENT);
    assert.equal(await checked('Enable Response Signing'), true, 'the default');
    assert.equal(await checked('Enable Signature Validation in Authentication Requests and Logout Requests'), true);
    assert.equal(await checked('Enable Assertion Encryption'), false);
    assert.equal(await value('Certificate'), sp.certificate.trim());
    assert.equal(await checked('Enable Single Logout'), true);
    assert.equal(await value('SLO Request URL'), 'http://localhost:8081/saml2/slo');
    assert.equal(await checked('Enable Attribute Profile'), true);
    assert.equal(await checked('Enable IdP Initiated SSO'), true);
    // the page says which SP this is by its issuer, not by an unused client ID
    assert.match((await page.locator('.page-header').textContent()) ?? '', /SAML issuer/);
  });

  test('Import SP metadata from a file fills the form; Update saves it; the warnings are shown', async () => {
    const other = selfSignedCertificate('imported-sp');
    const xml = spMetadata({
      entityId: 'https://imported.example/sp',
      acs: [
        ['HTTP-POST', 'https://imported.example/acs/2', 2],
        ['HTTP-POST', 'https://imported.example/acs/1', 1, true],
        ['HTTP-Artifact', 'https://imported.example/acs/artifact', 3],
      ],
      slo: { binding: 'HTTP-POST', location: 'https://imported.example/slo' },
      signing: other.certificate,
      nameIdFormats: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
      authnRequestsSigned: false,
    });
    await saml()
      .getByLabel('Metadata file')
      .setInputFiles({ name: 'sp-metadata.xml', mimeType: 'application/samlmetadata+xml', buffer: Buffer.from(xml) });
    await saml().getByText('Imported the metadata of https://imported.example/sp').waitFor();
    assert.equal(await value('Issuer'), 'https://imported.example/sp');
    assert.equal(
      await value('Assertion Consumer URLs'),
      'https://imported.example/acs/1\nhttps://imported.example/acs/2',
    );
    assert.equal(await value('Default Assertion Consumer URL'), 'https://imported.example/acs/1');
    assert.equal(await value('NameID format'), 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
    assert.equal(await value('Certificate'), other.certificate.trim());
    assert.equal(await checked('Enable Signature Validation in Authentication Requests and Logout Requests'), false);
    assert.equal(await value('SLO Request URL'), 'https://imported.example/slo');
    assert.equal(await value('SLO binding'), 'post');
    // what the metadata says beyond the settings is said, not dropped silently
    await saml()
      .getByText(/1 Assertion Consumer Service\(s\) left out/)
      .waitFor();
    // choices the metadata does not speak of are kept
    assert.equal(await checked('Enable IdP Initiated SSO'), true);
    // nothing is saved before Update
    assert.equal(
      (await server.services.applications.get(samlAppId))?.saml?.issuer,
      'saml2-web-app-pickup-dispatch.com',
    );

    await page.getByRole('button', { name: 'Update', exact: true }).click();
    await saved();
    assert.equal((await server.services.applications.get(samlAppId))?.saml?.issuer, 'https://imported.example/sp');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Edit Pickup Dispatch SAML' }).waitFor();
    assert.equal(await value('Issuer'), 'https://imported.example/sp');
    assert.equal(await value('Certificate'), other.certificate.trim());
  });

  test('errors are shown next to their fields: pasted metadata with a DTD, a plain-http Assertion Consumer URL', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol;"/>`;
    await saml().getByLabel('Metadata XML').fill(bomb);
    await saml().getByRole('button', { name: 'Import', exact: true }).click();
    const xmlField = saml().getByLabel('Metadata XML');
    await page.waitForFunction(() => document.querySelector('textarea[name="xml"][aria-invalid="true"]') !== null);
    const xmlError = page.locator(`#${await xmlField.getAttribute('id')}-error`);
    assert.match((await xmlError.textContent()) ?? '', /DOCTYPE/);
    // the form itself is untouched by a refused import
    assert.equal(await value('Issuer'), 'https://imported.example/sp');

    await saml()
      .getByLabel('Assertion Consumer URLs')
      .fill('https://imported.example/acs/1\nhttp://imported.example/acs/plain');
    await page.getByRole('button', { name: 'Update', exact: true }).click();
    await page.locator('form .error-summary').waitFor();
    const acs = saml().getByLabel('Assertion Consumer URLs');
    assert.equal(await acs.getAttribute('aria-invalid'), 'true');
    const acsError = page.locator(`#${await acs.getAttribute('id')}-error`);
    assert.match((await acsError.textContent()) ?? '', /http:\/\/imported\.example\/acs\/plain.*https/);
    assert.match((await page.locator('form .error-summary').textContent()) ?? '', /Assertion Consumer URLs/);
    // the first invalid field has the focus
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'saml.assertionConsumerUrls');
    await screenshot(page, 'saml-configuration-error', { top: '#inbound-saml' });
    // nothing was saved
    assert.deepEqual((await server.services.applications.get(samlAppId))?.saml?.assertionConsumerUrls, [
      'https://imported.example/acs/1',
      'https://imported.example/acs/2',
    ]);
  });

  test('a Single Logout URL left behind in the closed SLO fields does not block an Update', async () => {
    await saml().getByLabel('Assertion Consumer URLs').fill('https://imported.example/acs/1');
    await saml().getByLabel('SLO Request URL').fill('http://not-loopback.example/slo');
    await saml().getByLabel('Enable Single Logout').uncheck();
    assert.equal(await saml().getByLabel('SLO Request URL').count(), 0);
    await page.getByRole('button', { name: 'Update', exact: true }).click();
    await saved();
    const stored = (await server.services.applications.get(samlAppId))!.saml!;
    assert.deepEqual(stored.singleLogout, { enabled: false, binding: 'redirect' });
    assert.deepEqual(stored.assertionConsumerUrls, ['https://imported.example/acs/1']);
  });

  test('the list says which protocols each service provider speaks, and finds one by its Issuer', async () => {
    await page.goto(`${server.url}/console/applications`);
    const row = page.getByRole('row', { name: /Pickup Dispatch SAML/ });
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /SAML 2\.0/);
    assert.match(text, /Issuer https:\/\/imported\.example\/sp/);
    assert.doesNotMatch(text, /OIDC/);
    await page.getByLabel('Search applications').fill('imported.example');
    await page.getByLabel('Search applications').press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('main table tbody tr').length === 1);
    assert.match((await page.locator('main table tbody tr').textContent()) ?? '', /Pickup Dispatch SAML/);
  });

  test('unticking SAML2 Web SSO on a service provider that also speaks OIDC removes its SAML configuration', async () => {
    const { application } = await server.services.applications.create({
      name: 'Both protocols',
      redirectUris: ['https://both.example/cb'],
      saml: { issuer: 'urn:both-protocols', assertionConsumerUrls: ['https://both.example/acs'] },
    });
    await page.goto(`${server.url}/console/applications/${encodeURIComponent(application.id)}`);
    await page.getByRole('heading', { level: 1, name: 'Edit Both protocols' }).waitFor();
    assert.equal(await value('Issuer'), 'urn:both-protocols');
    await saml().getByLabel('Configure SAML2 Web SSO').uncheck();
    await saml().getByText('Update removes the SAML configuration').waitFor();
    await page.getByRole('button', { name: 'Update', exact: true }).click();
    await saved();
    const stored = (await server.services.applications.get(application.id))!;
    assert.equal(stored.saml, undefined);
    assert.deepEqual(stored.redirectUris, ['https://both.example/cb']);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Edit Both protocols' }).waitFor();
    assert.equal(await checked('Configure SAML2 Web SSO'), false);
  });
});
