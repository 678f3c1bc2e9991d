/**
 * The fraud counters are shared by every node: two nodes on one PostgreSQL and one Redis behind one public URL. Sends
 * split between the nodes trip conversion monitoring together (one audit event), fill one daily spend counter, and
 * spend one IP's soft limit before the proof of work.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { parseCertificates } from '../../src/sms/index.js';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import { addPickupDispatch, messageIdOf, PASSWORD, REDIRECT } from '../sms-otp/support/fixture.js';
import { type HttpsProvider, namedGateway, startHttpsProvider } from '../sms-otp/support/https-provider.js';
import { postgresBackend, skipPostgres, skipRedis, suiteNeeding } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import type { RelyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';
import { startTwoNodes, type TwoNodes } from '../support/two-nodes.js';
import { FRAUD_OFF } from './support.js';

suiteNeeding(skipPostgres || skipRedis, 'SMS fraud counters shared by two nodes on PostgreSQL and Redis', () => {
  let nodes: TwoNodes;
  let a: TestServer;
  let b: TestServer;
  let provider: HttpsProvider;
  let rp: RelyingParty;
  let idpId: string;
  let serial = 0;
  const cert = makeSelfSignedCertificate();

  before(async () => {
    provider = await startHttpsProvider(cert);
    // the configuration cache is read fresh on each node after a change in these tests
    nodes = await startTwoNodes({ backend: postgresBackend, redis: true, overrides: { configCacheSeconds: 0 } });
    ({ a, b } = nodes);
    await a.services.truststore.import('imitations', parseCertificates(Buffer.from(cert.certPem)));
    const idp = await a.services.identityProviders.create({
      name: 'smsOTP',
      authenticators: [
        {
          type: 'sms-otp',
          enabled: true,
          config: { resendCooldownSeconds: 0, gateways: [namedGateway('primary', provider.origin)], fraud: FRAUD_OFF },
        },
      ],
    });
    idpId = idp.id;
    rp = await addPickupDispatch(a, nodes.publicUrl);
  });
  after(async () => {
    await nodes?.stop();
    await provider?.close();
  });
  beforeEach(() => configure(FRAUD_OFF));

  async function configure(fraud: Record<string, unknown>) {
    await a.services.identityProviders.update(idpId, {
      authenticators: [{ type: 'sms-otp', enabled: true, config: { fraud } }],
    });
  }
  /** A login through the front on the node given, up to the page after the password, and the SMS it sent. */
  async function loginOn(node: TestServer, mobile: string): Promise<{ page: Page; sent: number }> {
    serial += 1;
    const username = `cluster-fraud-${serial}`;
    await createUser(a.services.db, a.services.hasher, {
      username,
      password: PASSWORD,
      claims: { [ClaimUri.mobile]: mobile },
    });
    nodes.pick(node);
    const before = provider.messages.length;
    const browser = new Browser();
    const first = await browser.go(rp.begin().url);
    const page = await browser.submit(Browser.form(first), { username, password: PASSWORD }, (u) =>
      u.startsWith(REDIRECT),
    );
    return { page, sent: provider.messages.length - before };
  }

  test('conversion: two unverified sends on each node trip the country for both, audited once', async () => {
    await configure({ ...FRAUD_OFF, conversion: { minSends: 4, minVerifiedPercent: 50, prefixDigits: 3 } });
    for (const [i, node] of [a, a, b, b].entries())
      assert.equal((await loginOn(node, `+9477610000${i}`)).sent, 1, `send ${i + 1}`);
    // each node alone saw two: only a shared count reaches the minimum volume of four
    for (const node of [b, a]) {
      const refused = await loginOn(node, '+94776100009');
      assert.equal(refused.sent, 0);
      assert.equal(messageIdOf(refused.page), 'sms-otp.limit.conversion');
    }
    const { events } = await a.services.audit.query({ event: 'sms-fraud.conversion-throttled', limit: 10 });
    assert.equal(events.length, 1);
    // every send went to Sri Lanka and none was verified: the country is judged first, and trips
    assert.equal(events[0]?.data?.scope, 'LK');
    assert.equal(events[0]?.data?.sent, 4);
  });

  test('spend cap: one day counter for both nodes', async () => {
    await configure({ ...FRAUD_OFF, spend: { defaultPrice: 0.05, prices: {}, dailyCaps: { primary: 0.1 } } });
    assert.equal((await loginOn(a, '+94776200001')).sent, 1);
    assert.equal((await loginOn(b, '+94776200002')).sent, 1);
    const refused = await loginOn(a, '+94776200003');
    assert.equal(refused.sent, 0);
    assert.equal(messageIdOf(refused.page), 'sms-otp.limit.spend-cap');
  });

  test("proof of work: an IP's soft limit spent on node A asks for the check on node B", async () => {
    await configure({ ...FRAUD_OFF, challenge: { softLimitPerIp: 1, difficultyBits: 8 } });
    assert.equal((await loginOn(a, '+94776300001')).sent, 1);
    const challenged = await loginOn(b, '+94776300002');
    assert.equal(challenged.sent, 0);
    assert.match(challenged.page.html, /id="sms-otp-challenge"/);
  });
});
