/**
 * Codes that are almost right are wrong: one symbol off in each position (the last one above all), one symbol short,
 * one too many, and the same for backup codes. A comparison that ignored a position or a prefix would pass one here.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { suiteNeeding, variants } from '../support/backends.js';
import { messageIdOf, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';

/** The same code with the symbol at `i` replaced by the next one of its alphabet. */
function offByOne(code: string, i: number): string {
  const c = code[i]!;
  const next = /\d/.test(c) ? String((Number(c) + 1) % 10) : c === 'Z' ? 'A' : String.fromCharCode(c.charCodeAt(0) + 1);
  return code.slice(0, i) + next + code.slice(i + 1);
}

function nearMisses(code: string): { label: string; value: string }[] {
  return [
    ...[...code].map((_, i) => ({ label: `position ${i + 1} of ${code.length} off by one`, value: offByOne(code, i) })),
    { label: 'the last symbol missing', value: code.slice(0, -1) },
    { label: 'the first symbol missing', value: code.slice(1) },
    { label: 'one symbol too many', value: `${code}0` },
    { label: 'the last two symbols swapped', value: code.slice(0, -2) + code.at(-1) + code.at(-2) },
  ].filter((m) => m.value !== code);
}

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `SMS OTP near-miss codes on ${backend.name}`, () => {
    let f: SmsOtpFixture;
    before(async () => {
      // room for every near miss on one code, so that what refuses them is the comparison and not a counter
      f = await startSmsOtp({
        backend,
        config: { maxWrongCodesPerOtp: 20, lockout: { enabled: true, maxAttempts: 100, lockMinutes: 15 } },
      });
    });
    after(() => f.stop());

    for (const shape of [
      { name: 'six digits', config: { otpLength: 6, numericOnly: true } },
      { name: 'eight letters and digits', config: { otpLength: 8, numericOnly: false } },
    ]) {
      test(`${shape.name}: each near miss is refused as a wrong code, then the exact code passes`, async () => {
        await f.configure(shape.config);
        try {
          const username = `near-${shape.config.otpLength}`;
          const user = await f.addUser(username);
          const login = await f.startLogin(username);
          const code = f.sms.lastCode();
          assert.equal(code.length, shape.config.otpLength);
          const misses = nearMisses(code);
          for (const miss of misses) {
            const page = await f.submitCode(login, miss.value);
            assert.equal(page.status, 401, `${miss.label} (${miss.value} for ${code}) was not refused`);
            assert.equal(messageIdOf(page), 'sms-otp.invalid-code', miss.label);
          }
          assert.equal((await f.user(user.id)).failedOtpCount, misses.length, 'each near miss counted as a failure');
          const claims = await f.finish(login, await f.submitCode(login, code));
          assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'pwd', 'sms']);
        } finally {
          await f.configure({ otpLength: 6, numericOnly: true });
        }
      });
    }

    test('a backup code one character off, or one short, is refused and left unused; the exact one passes', async () => {
      const user = await f.addUser('near-backup');
      const backup = 'k7mq-p2xw-9rtd';
      await f.server.services.backupCodes.replace(user.id, [backup]);
      const login = await f.startLogin('near-backup');
      for (const value of ['k7mq-p2xw-9rte', 'k7mq-p2xw-9rt', 'j7mq-p2xw-9rtd', 'k7mq-p2xw-9rtdd']) {
        const page = await f.submitCode(login, value);
        assert.equal(page.status, 401, `${value} passed as ${backup}`);
        assert.equal(messageIdOf(page), 'sms-otp.invalid-code');
      }
      assert.equal(await f.server.services.backupCodes.remaining(user.id), 1);
      const claims = await f.finish(login, await f.submitCode(login, backup));
      assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);
      assert.equal(await f.server.services.backupCodes.remaining(user.id), 0);
    });
  });
}
