/**
 * The console at phone width (390 px) in real Chromium: every route of the console (the list in
 * console/src/routes.ts) is visited with data in it, every collapsible part opened, and no page may be wider than
 * the viewport; the row links of every table stay on screen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROUTE_PATTERNS, type RoutePattern } from '../../console/src/routes.js';
import { demoSetup } from '../../src/demo/seed.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { getUserByUsername } from '../../src/identity/users.js';
import { applySetup } from '../../src/setup/apply.js';
import { parseCertificates } from '../../src/sms/truststore/parse.js';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import type { TestServer } from '../support/server.js';
import { ensureConsoleBuilt, launchBrowser, screenshot, signIn, skipReason, startConsoleServer } from './support.js';

const skip = skipReason();
const PASSWORD = 'narrow screens password';
const WIDTH = 390;

describe('the console at 390 px', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const paths = {} as Record<RoutePattern, string>;

  before(async () => {
    ensureConsoleBuilt();
    server = await startConsoleServer();
    // the seed guide's data: an IdP with the Vonage preset, Pickup Dispatch with two steps, claims, an admin
    const setup = demoSetup(server.url, 'http://localhost:8080/pickup-dispatch', PASSWORD, 'a client secret value');
    // a second provider with a long name: its option widens the authenticator selects of the sequence editor
    const [smsOtp] = setup.identityProviders ?? [];
    setup.identityProviders = [
      ...(setup.identityProviders ?? []),
      { ...smsOtp!, name: 'Corporate-SMS-gateway-for-European-and-Asian-customers', displayName: 'Corporate SMS' },
    ];
    await applySetup(server.services, { setup, lineOf: () => undefined }, 'narrow test');
    const cert = makeSelfSignedCertificate('rest.nexmo.test');
    await server.services.truststore.import('Nexmo', parseCertificates(Buffer.from(cert.certPem)));
    const admin = (await getUserByUsername(server.services.db, 'admin'))!;
    const idp = (await server.services.identityProviders.getByName('smsOTP'))!;
    const app = (await server.services.applications.getByName('Pickup Dispatch'))!;
    Object.assign(paths, {
      '/': '/',
      '/identity-providers': '/identity-providers',
      '/identity-providers/new': '/identity-providers/new',
      '/identity-providers/:id': `/identity-providers/${encodeURIComponent(idp.id)}`,
      '/authenticators': '/authenticators',
      '/applications': '/applications',
      '/applications/new': '/applications/new',
      '/applications/:id': `/applications/${encodeURIComponent(app.id)}`,
      '/claims': '/claims',
      '/claims/new': '/claims/new',
      '/claims/:uri': `/claims/${encodeURIComponent(ClaimUri.mobile)}`,
      '/users': '/users',
      '/users/new': '/users/new',
      '/users/:id': `/users/${encodeURIComponent(admin.id)}`,
      '/truststore': '/truststore',
      '/audit': '/audit',
      '/messages': '/messages',
    } satisfies Record<RoutePattern, string>);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: WIDTH, height: 844 } });
    page = await context.newPage();
    await signIn(page, server.url, 'admin', PASSWORD);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  /** Opens every <details> and every disclosure button, so hidden parts are measured too. */
  async function openEverything(): Promise<void> {
    await page.evaluate(() => {
      document.querySelectorAll('details').forEach((d) => {
        d.open = true;
      });
    });
    const closed = page.locator('main button[aria-expanded="false"]');
    for (let i = 0; i < 10 && (await closed.count()) > 0; i++) await closed.first().click({ timeout: 5000 });
  }

  async function widths() {
    return page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      // what sticks out, to make a failure readable
      wide: Array.from(document.querySelectorAll('main *'))
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`),
    }));
  }

  test('the route list of the console is covered', () => {
    assert.deepEqual(Object.keys(paths).sort(), [...ROUTE_PATTERNS].sort());
  });

  for (const pattern of ROUTE_PATTERNS) {
    test(`${pattern}: no wider than the viewport, row links on screen`, async () => {
      await page.goto(`${server.url}/console${paths[pattern]}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForFunction(() => document.querySelector('[aria-busy="true"]') === null);
      await openEverything();
      await page.waitForTimeout(50);
      const w = await widths();
      assert.equal(w.innerWidth, WIDTH);
      assert.ok(w.scrollWidth <= w.innerWidth, `${pattern} is ${w.scrollWidth} px wide: ${w.wide.join(', ')}`);
      assert.deepEqual(w.wide, [], `${pattern}: these stick out of the viewport`);
      // every row link, button and field is on screen (an overflow inside a clipping box hides them too)
      for (const el of await page.locator('main a, main button, main input, main select, main textarea').all()) {
        const box = await el.boundingBox();
        if (!box) continue; // not rendered (hidden file inputs, closed parts)
        const name =
          (await el.getAttribute('aria-label')) ?? (await el.textContent()) ?? (await el.getAttribute('name'));
        assert.ok(box.x >= 0 && box.x + box.width <= w.innerWidth + 0.5, `${pattern}: "${name}" is off screen`);
      }
      // nor does any stick out of the box it belongs to (a step's fieldset, a section)
      const outside = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('main a, main button, main input, main select'))
          .filter((el) => el.getClientRects().length > 0)
          .filter((el) => {
            const box = el.parentElement?.closest('fieldset, details.section, .panel, .card');
            return (
              box !== null &&
              box !== undefined &&
              el.getBoundingClientRect().right > box.getBoundingClientRect().right + 0.5
            );
          })
          .map((el) => el.getAttribute('aria-label') ?? el.textContent ?? el.getAttribute('name')),
      );
      assert.deepEqual(outside, [], `${pattern}: sticks out of its box`);
    });
  }

  test('an unknown console path: the not-found page fits too', async () => {
    await page.goto(`${server.url}/console/no/such/page`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    const w = await widths();
    assert.ok(w.scrollWidth <= w.innerWidth, w.wide.join(', '));
  });

  test('at 390 px a table row is a card that names each value', async () => {
    await page.goto(`${server.url}/console/applications`);
    const row = page.getByRole('row', { name: /Pickup Dispatch/ });
    await row.waitFor();
    assert.equal(await row.getByRole('link', { name: 'Edit Pickup Dispatch' }).isVisible(), true);
    const label = await row
      .locator('td', { hasText: 'pickup-dispatch' })
      .evaluate((td) => getComputedStyle(td, '::before').content);
    assert.equal(label, '"Client ID"');
    await screenshot(page, 'phone-applications');
  });

  test('the open menu fits', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Truststore' }).waitFor();
    const w = await widths();
    assert.ok(w.scrollWidth <= w.innerWidth, w.wide.join(', '));
    await screenshot(page, 'phone-narrow-menu');
  });

  test('at 1280 px the claims table is a table: each row one line of cells, top-aligned', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/console/claims`);
    await page.getByRole('link', { name: 'Edit Mobile' }).waitFor();
    const rows = await page.locator('main table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = Array.from(tr.children) as HTMLElement[];
        return {
          displays: [...new Set(cells.map((c) => getComputedStyle(c).display))],
          tops: [...new Set(cells.map((c) => Math.round(c.getBoundingClientRect().top)))].length,
          bottoms: [...new Set(cells.map((c) => Math.round(c.getBoundingClientRect().bottom)))].length,
        };
      }),
    );
    assert.ok(rows.length >= 10, `only ${rows.length} claim rows`);
    for (const r of rows) assert.deepEqual(r, { displays: ['table-cell'], tops: 1, bottoms: 1 });
    await page.setViewportSize({ width: WIDTH, height: 844 });
  });

  test('the pages outside the shell fit too: signed out', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, log me out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    const w = await widths();
    assert.ok(w.scrollWidth <= w.innerWidth, `${w.scrollWidth} px wide`);
  });
});
