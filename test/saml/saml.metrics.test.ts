/**
 * The SAML front door in the Prometheus metrics: a login started by an AuthnRequest counts as started with
 * protocol "saml" (as OIDC interactions count as "oidc"), and counts as finished once both steps passed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseMetrics } from '../ops/support.js';
import { Browser } from '../support/browser.js';
import { postedForm, type SamlFixture, startSaml } from './support/fixture.js';

const TOKEN = 'saml-metrics-token-0123456789';
let f: SamlFixture;
before(async () => {
  f = await startSaml({ overrides: { metrics: { token: TOKEN } } });
});
after(async () => f?.stop());

async function metrics() {
  const res = await fetch(`${f.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  return parseMetrics(await res.text());
}

test('a SAML login counts as started (protocol saml) at the AuthnRequest and as finished after both steps', async () => {
  const user = await f.addUser('saml-metrics-user');
  const sp = await f.addServiceProvider('metrics');
  const client = sp.client();
  const application = (await f.server.services.applications.get(sp.applicationId))!.clientId;
  const before = await metrics();
  const started = () => before.value('stepgate_logins_started_total', { application, protocol: 'saml' });
  assert.equal(started(), 0);
  const browser = new Browser();
  const page = await browser.go(await client.getAuthorizeUrlAsync('', undefined, {}));
  const mid = await metrics();
  assert.equal(mid.value('stepgate_logins_started_total', { application, protocol: 'saml' }), 1);
  assert.equal(mid.value('stepgate_logins_started_total', { protocol: 'oidc' }), 0, 'a SAML login counted as OIDC');
  postedForm(await f.passSteps(browser, page, user.username));
  const done = await metrics();
  assert.equal(done.value('stepgate_logins_finished_total', { application, protocol: 'saml' }), 1);
});
