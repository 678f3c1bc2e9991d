/**
 * The daily spend cap per gateway through real logins against two HTTPS provider imitations: each SMS costs its
 * segments × the destination's price; a gateway past its cap is skipped and the next one of the route delivers; when
 * none is left the send is refused with a clear page and nothing sent; each cap reached is audited once and metered;
 * a send the provider definitively refused gives its price back.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { createSpendCap } from '../../src/authenticators/sms-otp/fraud/spend.js';
import { messageIdOf } from '../sms-otp/support/fixture.js';
import { codeIn, triedOf } from '../sms-otp/support/https-provider.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { FRAUD_OFF, type FraudFixture, scrape, startFraudFixture } from './support.js';

for (const { name, backend, skip, redis } of variants({ redis: true })) {
  suiteNeeding(skip, `SMS fraud defence: daily spend cap per gateway on ${name}`, () => {
    let x: FraudFixture;
    let serial = 0;
    before(async () => {
      x = await startFraudFixture({ backend, redis });
    });
    after(() => x.stop());
    beforeEach(() => {
      x.primary.mode = { kind: 'ok' };
      x.secondary.mode = { kind: 'ok' };
    });
    // the day's spend is per gateway: the tests run in order, each building on what the ones before spent
    const number = () => {
      serial += 1;
      return `+9477130${String(serial).padStart(4, '0')}`;
    };
    const sentEvent = async (username: string) =>
      (await x.f.audit('sms-otp.sent')).find((e) => e.username === username);

    test('the primary past its cap is skipped for the secondary, then the send is refused with nothing sent', async () => {
      // one segment at 0.04: the primary takes two SMS (0.08), the secondary one (0.05 cap)
      await x.configure({
        ...FRAUD_OFF,
        spend: { defaultPrice: 0.04, prices: {}, dailyCaps: { primary: 0.09, secondary: 0.05 } },
      });
      const counts = () => [x.primary.messages.length, x.secondary.messages.length];
      const start = counts();
      for (let i = 0; i < 2; i++) {
        const { login, username } = await x.login(number());
        assert.equal(login.page.status, 200, login.page.html.slice(0, 300));
        assert.equal((await sentEvent(username))?.gateway, 'primary');
      }
      const third = await x.login(number());
      assert.equal(third.login.page.status, 200);
      const sent = await sentEvent(third.username);
      assert.equal(sent?.gateway, 'secondary');
      assert.deepEqual(
        triedOf(sent).map((t) => [t.gateway, t.code ?? 'sent']),
        [
          ['primary', 'spend-cap'],
          ['secondary', 'sent'],
        ],
      );
      // the code the secondary delivered finishes the login
      const claims = await x.f.finish(
        third.login,
        await x.f.submitCode(third.login, codeIn(x.secondary.messages.at(-1)?.text)),
      );
      assert.equal(claims.sub, third.username);

      const fourth = await x.login(number());
      assert.equal(fourth.sent, 0, 'nothing sent once every gateway is past its cap');
      assert.equal(fourth.login.page.status, 429);
      assert.equal(messageIdOf(fourth.login.page), 'sms-otp.limit.spend-cap');
      assert.match(fourth.login.page.html, /We cannot send more codes today/);
      assert.deepEqual(counts(), [start[0]! + 2, start[1]! + 1]);
      const refusal = (await x.f.audit('sms.limit-reached')).find((e) => e.username === fourth.username);
      assert.equal(refusal?.limit, 'spend-cap');
      assert.equal((await x.f.audit('sms-otp.send-failed')).filter((e) => e.username === fourth.username).length, 0);

      // a fifth refusal: the caps are announced once each, not per refused send
      assert.equal((await x.login(number())).sent, 0);
      const reached = await x.f.audit('sms-fraud.spend-cap-reached');
      assert.deepEqual(reached.map((e) => e.gateway).sort(), ['primary', 'secondary']);
      const primaryCap = reached.find((e) => e.gateway === 'primary');
      assert.equal(primaryCap?.cap, 0.09);
      assert.equal(primaryCap?.spent, 0.08);
      assert.equal(primaryCap?.day, new Date().toISOString().slice(0, 10));
      const metrics = await scrape(x.f.server.url);
      assert.match(metrics, /stepgate_sms_spend_cap_reached_total\{gateway="primary"\} 1/);
      assert.match(metrics, /stepgate_limit_hits_total\{limit="spend-cap"\} 2/);

      // raising a cap lets the gateway send again the same day
      await x.configure({
        ...FRAUD_OFF,
        spend: { defaultPrice: 0.04, prices: {}, dailyCaps: { primary: 0.2, secondary: 0.05 } },
      });
      const again = await x.login(number());
      assert.equal(again.sent, 1);
      assert.equal((await sentEvent(again.username))?.gateway, 'primary');
    });

    test('the price table: a country and a longer prefix price per segment; the cap counts them', async () => {
      assert.equal(await spentToday(x, 'primary'), 0.12, 'what the test above spent through the primary');
      await x.configure({
        ...FRAUD_OFF,
        spend: { defaultPrice: 0, prices: { GB: 1, '+44790': 5 }, dailyCaps: { primary: 10.12, secondary: 0 } },
      });
      // 0.12 spent by the primary before: two GB SMS at 1 and one +44790 SMS at 5 fit under 10.12 (7.12), a second
      // +44790 SMS (12.12) does not, and the secondary's cap of 0 refuses everything
      assert.equal((await x.login('+447400123001')).sent, 1);
      assert.equal((await x.login('+447400123002')).sent, 1);
      assert.equal((await x.login('+447900123001')).sent, 1);
      const over = await x.login('+447900123002');
      assert.equal(over.sent, 0);
      assert.equal(messageIdOf(over.login.page), 'sms-otp.limit.spend-cap');
      // a Sri Lankan number costs the default price 0: still sent
      assert.equal((await x.login(number())).sent, 1);
    });

    test('a provider that definitively refused gives the price back: the secondary delivers, the primary still has room', async () => {
      await x.configure({
        ...FRAUD_OFF,
        spend: { defaultPrice: 1, prices: {}, dailyCaps: { primary: 100, secondary: 100 } },
      });
      const before = await spentToday(x, 'primary');
      x.primary.mode = { kind: 'status', status: 503 };
      const { username, login } = await x.login(number());
      assert.equal(login.page.status, 200);
      assert.equal((await sentEvent(username))?.gateway, 'secondary');
      assert.equal(await spentToday(x, 'primary'), before, 'the refused send cost the primary nothing');
      assert.equal(await spentToday(x, 'secondary'), 1.04);
    });
  });
}

/** What a gateway spent today, as every node reads it from the shared state store. */
async function spentToday(x: FraudFixture, gateway: string): Promise<number> {
  const idp = (await x.f.server.services.identityProviders.getByName('smsOTP'))!;
  return createSpendCap(x.f.server.services.state).spent(idp.id, gateway, Date.now());
}
