/**
 * The SAML endpoints fail closed like the login pages: with the state store (a private redis-server the test stops)
 * away, an AuthnRequest answers a clear 503 page — no login starts, no assertion is posted — and once Redis is back
 * the same service provider logs in through both steps, with no restart.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type PrivateRedis, REDIS_SERVER, startPrivateRedis } from '../ops/support.js';
import { Browser } from '../support/browser.js';
import { postedForm, type SamlFixture, startSaml } from './support/fixture.js';

const skip = existsSync(REDIS_SERVER) ? false : `no ${REDIS_SERVER}: install Debian's redis-server to run this suite`;

describe('SAML with its state store away', { skip }, () => {
  let redis: PrivateRedis;
  let f: SamlFixture;
  before(async () => {
    redis = await startPrivateRedis();
    f = await startSaml({ overrides: { redisUrl: redis.url } });
  });
  after(async () => {
    await f?.stop();
    await redis?.close();
  });

  test('an AuthnRequest during the outage gets a 503 page and nothing posted; after it, the login works', async () => {
    const user = await f.addUser('saml-outage-user');
    const sp = await f.addServiceProvider('outage');
    const client = sp.client();
    await redis.stop();
    const during = await new Browser().go(await client.getAuthorizeUrlAsync('', undefined, {}));
    assert.equal(during.status, 503, `during the outage: ${during.status}\n${during.html.slice(0, 300)}`);
    assert.match(during.html, /unavailable for a moment/);
    assert.doesNotMatch(during.html, /SAMLResponse|name="password"/);
    await redis.start();
    let page: Awaited<ReturnType<Browser['go']>> | undefined;
    const browser = new Browser();
    // ioredis reconnects by itself; the first requests after the restart may still meet the outage
    for (let i = 0; i < 50; i++) {
      page = await browser.go(await client.getAuthorizeUrlAsync('', undefined, {}));
      if (page.status !== 503) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(page);
    const done = await f.passSteps(browser, page, user.username);
    const { profile } = await client.validatePostResponseAsync({ SAMLResponse: postedForm(done).fields.SAMLResponse! });
    assert.equal(profile?.nameID, user.mobile);
  });
});
