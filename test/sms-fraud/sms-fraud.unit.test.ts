/**
 * The fraud defence's parts on the memory state store: which list entry wins, the monitored prefix, the conversion
 * window ageing out, the spend cap's arithmetic under concurrency, and the proof of work's checks (wrong, replayed,
 * another login's, expired).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { defaultSmsOtpConfig } from '../../src/authenticators/sms-otp/config.js';
import { type FraudConfig, FraudConfigSchema } from '../../src/authenticators/sms-otp/fraud/config.js';
import { createConversionMonitor } from '../../src/authenticators/sms-otp/fraud/conversion.js';
import { listVerdict, monitoredPrefix } from '../../src/authenticators/sms-otp/fraud/destinations.js';
import { countSend, countVerified, screenSend, spendBudget } from '../../src/authenticators/sms-otp/fraud/gate.js';
import { createHashcashChallenge, leadingZeroBits, solves } from '../../src/authenticators/sms-otp/fraud/hashcash.js';
import { createFraudDefence } from '../../src/authenticators/sms-otp/fraud/index.js';
import { createSpendCap, priceOf } from '../../src/authenticators/sms-otp/fraud/spend.js';
import { fraudProblems } from '../../src/authenticators/sms-otp/fraud/validate.js';
import type { RoutedGateway } from '../../src/authenticators/sms-otp/routing.js';
import type { SmsOtpContext } from '../../src/authenticators/sms-otp/state.js';
import { createKeyring } from '../../src/crypto/keyring.js';
import { createMemoryStateStore } from '../../src/state/memory-store.js';

const defaults = (): FraudConfig => Value.Default(FraudConfigSchema, {}) as FraudConfig;

const LK = { e164: '+94771234567', country: 'LK' };
const CA = { e164: '+16045550123', country: 'CA' };

test('the most specific entry of the two lists wins; a tie goes to the block list', () => {
  assert.deepEqual(listVerdict({ allow: [], block: ['LK'] }, LK), { kind: 'blocked', entry: 'LK' });
  assert.deepEqual(listVerdict({ allow: ['+9477'], block: ['LK'] }, LK), { kind: 'allowed', entry: '+9477' });
  assert.deepEqual(listVerdict({ allow: ['LK'], block: ['+94771'] }, LK), { kind: 'blocked', entry: '+94771' });
  // a country beats its calling code (CA is more specific than +1) but not a longer prefix
  assert.deepEqual(listVerdict({ allow: ['CA'], block: ['+1'] }, CA), { kind: 'allowed', entry: 'CA' });
  assert.deepEqual(listVerdict({ allow: ['CA'], block: ['+1604'] }, CA), { kind: 'blocked', entry: '+1604' });
  assert.deepEqual(listVerdict({ allow: ['+94'], block: ['+94'] }, LK), { kind: 'blocked', entry: '+94' });
  assert.deepEqual(listVerdict({ allow: ['GB'], block: ['+44'] }, LK), { kind: 'none' });
  // a near miss: one digit more than the number has in common
  assert.deepEqual(listVerdict({ allow: [], block: ['+94772'] }, LK), { kind: 'none' });
});

test('the monitored prefix is the calling code and the first national digits', () => {
  assert.equal(monitoredPrefix('+94771234567', 3), '+94771');
  assert.equal(monitoredPrefix('+447400123456', 2), '+4474');
  assert.equal(monitoredPrefix('+16045550123', 3), '+1604');
});

test('conversion: a prefix trips below the threshold with enough volume, not before; the window ages out', async () => {
  const monitor = createConversionMonitor(createMemoryStateStore());
  const c = { ...defaults().conversion, minSends: 5, minVerifiedPercent: 40, windowMinutes: 60 };
  const t0 = Date.UTC(2026, 0, 1, 10);
  for (let i = 0; i < 4; i++) await monitor.sent('idp', LK, c, t0);
  assert.equal(await monitor.tripped('idp', LK, c, t0), undefined, 'four sends are below the minimum volume');
  await monitor.sent('idp', LK, c, t0);
  await monitor.verified('idp', LK, c, t0);
  // 1 of 5 verified: 20 % < 40 %; the country is judged first
  assert.deepEqual(await monitor.tripped('idp', LK, c, t0 + 60_000), {
    scope: { kind: 'country', id: 'LK' },
    sent: 5,
    verified: 1,
  });
  await monitor.verified('idp', LK, c, t0);
  assert.equal(await monitor.tripped('idp', LK, c, t0), undefined, '2 of 5 is 40 %: not below');
  assert.equal(await monitor.tripped('other-idp', LK, c, t0), undefined, 'each identity provider counts apart');
  await monitor.sent('idp', LK, c, t0);
  assert.ok(await monitor.tripped('idp', LK, c, t0), '2 of 6 is below 40 % again');
  assert.equal(await monitor.tripped('idp', LK, c, t0 + 61 * 60_000), undefined, 'the window aged out');
  assert.equal(await monitor.tripped('idp', LK, { ...c, minSends: 0 }, t0), undefined, 'minimum volume 0: off');
});

test('conversion: the trip is announced once per window', async () => {
  const monitor = createConversionMonitor(createMemoryStateStore());
  const c = { ...defaults().conversion, windowMinutes: 60 };
  const scope = { kind: 'prefix' as const, id: '+94771' };
  const first = await Promise.all([1, 2, 3].map(() => monitor.announce('idp', scope, c, Date.now())));
  assert.deepEqual(first.sort(), [false, false, true]);
});

test('price: segments × the most specific price entry, else the default', () => {
  const spend = { ...defaults().spend, defaultPrice: 0.05, prices: { LK: 0.1, '+9477': 0.2 } };
  assert.equal(priceOf(spend, LK, 1), 0.2);
  assert.equal(priceOf(spend, { e164: '+94711234567', country: 'LK' }, 2), 0.2);
  assert.equal(priceOf(spend, CA, 3), 0.15000000000000002);
});

test('spend cap: concurrent reservations never pass the cap; a release gives the price back; no cap passes', async () => {
  const cap = createSpendCap(createMemoryStateStore());
  const spend = { ...defaults().spend, dailyCaps: { primary: 1 } };
  const now = Date.UTC(2026, 0, 1, 12);
  const verdicts = await Promise.all(Array.from({ length: 30 }, () => cap.reserve('idp', 'primary', spend, 0.1, now)));
  assert.equal(verdicts.filter((v) => v.ok).length, 10);
  assert.equal(await cap.spent('idp', 'primary', now), 1);
  const refused = verdicts.find((v) => !v.ok);
  assert.deepEqual(refused, { ok: false, cap: 1, spent: 1, day: '2026-01-01' });
  const held = verdicts.find((v) => v.ok && v.reservation);
  if (!held?.ok || !held.reservation) throw new Error('no reservation');
  await cap.release(held.reservation);
  assert.equal(await cap.spent('idp', 'primary', now), 0.9);
  assert.ok((await cap.reserve('idp', 'primary', spend, 0.1, now)).ok);
  assert.ok(!(await cap.reserve('idp', 'primary', spend, 0.1, now)).ok);
  // the next UTC day starts from nothing; a gateway without a cap always passes
  assert.ok((await cap.reserve('idp', 'primary', spend, 0.1, now + 86_400_000)).ok);
  assert.deepEqual(await cap.reserve('idp', 'secondary', spend, 1000, now), { ok: true });
});

/** A nonce that solves the challenge (brute force, as the page's script does). */
function solve(challenge: string, bits: number): string {
  for (let n = 0; ; n++) if (solves(challenge, n.toString(36), bits)) return n.toString(36);
}

test('proof of work: leading zero bits, and a solution found by brute force passes the check', () => {
  assert.equal(leadingZeroBits(Uint8Array.from([0, 0, 0x10, 0xff])), 19);
  assert.equal(leadingZeroBits(Uint8Array.from([0x80])), 0);
  assert.equal(leadingZeroBits(new Uint8Array(4)), 32);
  const nonce = solve('AAAAAAAAAAAAAAAAAAAAAA', 10);
  const digest = createHash('sha256').update(`AAAAAAAAAAAAAAAAAAAAAA:${nonce}`).digest();
  assert.ok(leadingZeroBits(digest) >= 10);
});

test('proof of work: the soft limit, then wrong, another login, replayed and expired answers are refused', async () => {
  const state = createMemoryStateStore();
  const pow = createHashcashChallenge(state, createKeyring(Buffer.alloc(32, 3)));
  const policy = { ...defaults().challenge, softLimitPerIp: 2, difficultyBits: 8, expirySeconds: 60 };
  const req = { loginId: 'login-a', ip: '203.0.113.9', now: Date.now() };
  assert.equal(await pow.needed(req, policy), false);
  await pow.counted(req, policy);
  await pow.counted(req, policy);
  assert.equal(await pow.needed(req, policy), true, 'past the soft limit');
  assert.equal(await pow.needed({ ...req, ip: '203.0.113.10' }, policy), false, 'another IP is not');
  assert.equal(await pow.needed(req, { ...policy, softLimitPerIp: 0 }), false, '0: off');

  const { id, prompt } = await pow.issue(req, policy);
  assert.equal(prompt.page, 'sms-otp/challenge');
  assert.equal(prompt.data.bits, 8);
  const nonce = solve(id, 8);
  let wrong = '0';
  while (solves(id, wrong, 8)) wrong = `${wrong}0`;
  assert.deepEqual(await pow.verify(req, id, { challenge: id, pow: wrong }), { ok: false, reason: 'wrong' });
  assert.deepEqual(await pow.verify(req, id, { challenge: id, pow: 'not a nonce!' }), {
    ok: false,
    reason: 'missing',
  });
  assert.deepEqual(await pow.verify(req, id, { challenge: id }), { ok: false, reason: 'missing' });
  assert.deepEqual(await pow.verify({ ...req, loginId: 'login-b' }, id, { challenge: id, pow: nonce }), {
    ok: false,
    reason: 'other-login',
  });
  assert.deepEqual(await pow.verify(req, 'another-id', { challenge: id, pow: nonce }), {
    ok: false,
    reason: 'wrong',
  });
  assert.deepEqual(await pow.verify({ ...req, now: req.now + 61_000 }, id, { challenge: id, pow: nonce }), {
    ok: false,
    reason: 'expired',
  });
  // of two submissions of one right answer, exactly one passes; afterwards it is a replay
  const both = await Promise.all([1, 2].map(() => pow.verify(req, id, { challenge: id, pow: nonce })));
  assert.deepEqual(both.map((v) => v.ok).sort(), [false, true]);
  assert.deepEqual(await pow.verify(req, id, { challenge: id, pow: nonce }), { ok: false, reason: 'replayed' });
});

test('configuration problems the schema cannot see, each at its field', () => {
  const fraud = {
    ...defaults(),
    block: ['XX', '+44'],
    allow: ['+44', 'LK'],
    spend: { defaultPrice: 0, prices: { ZZ: 1 }, dailyCaps: { nosuch: 5, primary: 5 } },
    conversion: { ...defaults().conversion, minSends: 10, action: 'slow' as const, slowMax: 10 },
  };
  assert.deepEqual(fraudProblems(fraud, ['primary']), [
    { field: 'fraud.block[0]', message: '"XX" is not a country code' },
    { field: 'fraud.allow[0]', message: '"+44" is in the block list too' },
    { field: 'fraud.spend.prices.ZZ', message: '"ZZ" is not a country code' },
    { field: 'fraud.spend.dailyCaps.nosuch', message: 'no gateway is named "nosuch"' },
    {
      field: 'fraud.conversion.slowMax',
      message: 'the slow rate must be lower than the minimum volume, or throttling changes nothing',
    },
  ]);
  assert.deepEqual(fraudProblems(defaults(), []), []);
});

test('fraud defence off (the defaults): a send, its delivery and its verification touch the state store not once', async () => {
  const memory = createMemoryStateStore();
  const touched: string[] = [];
  // every call of the store is recorded: with nothing configured, the checks must be free on the hot path
  const state = new Proxy(memory, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function'
        ? (...args: unknown[]) => {
            touched.push(String(prop));
            return value.apply(target, args);
          }
        : value;
    },
  });
  const fraud = createFraudDefence(state, createKeyring(Buffer.alloc(32, 4)));
  const audited: string[] = [];
  const ctx = {
    loginId: 'login-a',
    client: { ip: '203.0.113.9' },
    now: Date.now(),
    audit: async (event: string) => {
      audited.push(event);
    },
  } as unknown as SmsOtpContext;
  const config = defaultSmsOtpConfig;
  const to = { ...LK, masked: '+94*****4567' };
  assert.deepEqual(await screenSend(fraud, ctx, config, to, false), { ok: true });
  const budget = spendBudget(fraud, ctx, config, to, 'Your code is 123456');
  const gateway = { name: 'default' } as RoutedGateway;
  assert.equal(await budget.take(gateway), true);
  await budget.giveBack(gateway);
  await countSend(fraud, ctx, config, to);
  await countVerified(fraud, ctx, config, to);
  assert.deepEqual(touched, []);
  assert.deepEqual(audited, []);
});
