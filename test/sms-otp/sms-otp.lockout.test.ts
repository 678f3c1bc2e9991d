/**
 * Account locking on failed SMS OTPs (wrong codes, wrong backup codes, expired codes count on the account, across
 * logins; only a success resets the count) and backup codes in the code box (single use, amr otp, audited).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { listLocalClaims } from '../../src/identity/claims.js';
import { unlockUser } from '../../src/identity/lockout.js';
import { claimsOf } from '../../src/identity/users.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { MOBILE, messageIdOf, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `SMS OTP lockout and backup codes on ${backend.name}`, () => {
    let f: SmsOtpFixture;
    before(async () => {
      f = await startSmsOtp({
        backend,
        config: { lockout: { enabled: true, maxAttempts: 3, lockMinutes: 15 }, maxWrongCodesPerOtp: 10 },
      });
    });
    after(() => f.stop());

    const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');

    test('failures count across logins and resends; the third locks the account, claims show it, an admin unlocks', async () => {
      const user = await f.addUser('locky');
      const first = await f.startLogin('locky');
      assert.equal(messageIdOf(await f.submitCode(first, wrongFor(f.sms.lastCode()))), 'sms-otp.invalid-code');
      await f.resend(first);
      assert.equal((await f.user(user.id)).failedOtpCount, 1, 'a resend does not reset the count');
      assert.equal(
        messageIdOf(await f.submitCode(first, 'not-a-backup-code')),
        'sms-otp.invalid-code',
        'a wrong backup code counts too',
      );
      assert.equal((await f.user(user.id)).failedOtpCount, 2);
      const second = await f.startLogin('locky');
      const locked = await f.submitCode(second, wrongFor(f.sms.lastCode()));
      assert.equal(locked.status, 403);
      assert.equal(messageIdOf(locked), 'sms-otp.locked');
      assert.match(
        locked.html,
        /Your account is locked because of too many failed attempts. Please try again in 15 minutes./,
      );
      const claims = claimsOf(await f.user(user.id), await listLocalClaims(f.server.services.db));
      assert.equal(claims[ClaimUri.accountLocked], 'true');
      assert.ok(Number(claims[ClaimUri.unlockTime]) > Date.now() + 14 * 60_000);
      assert.ok(
        (await f.audit('account.locked')).some(
          (e) => e.username === 'locky' && e.reason === 'MAX_SMS_OTP_ATTEMPTS_EXCEEDED',
        ),
      );
      // the first login's code page now refuses too: the lock is on the account, not the login
      const refused = await f.submitCode(first, f.sms.lastCode());
      assert.equal(messageIdOf(refused), 'sms-otp.locked');
      assert.equal(await unlockUser(f.server.services.db, user.id), true);
      const third = await f.startLogin('locky');
      await f.finish(third, await f.submitCode(third, f.sms.lastCode()));
    });

    test('a success resets the failure count', async () => {
      const user = await f.addUser('resetter');
      const login = await f.startLogin('resetter');
      await f.submitCode(login, wrongFor(f.sms.lastCode()));
      await f.submitCode(login, wrongFor(f.sms.lastCode()));
      assert.equal((await f.user(user.id)).failedOtpCount, 2);
      await f.finish(login, await f.submitCode(login, f.sms.lastCode()));
      assert.equal((await f.user(user.id)).failedOtpCount, 0);
    });

    test('a backup code (typed as the seed stores them) passes once with amr otp, is audited, and fails the second time', async () => {
      const user = await f.addUser('backup-user');
      await f.server.services.backupCodes.replace(user.id, ['10300', '21390']);
      const login = await f.startLogin('backup-user');
      const claims = await f.finish(login, await f.submitCode(login, ' 21390 '));
      assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);
      assert.ok(!(claims.amr as string[]).includes('sms'));
      const used = (await f.audit('backup-code.used')).filter((e) => e.username === 'backup-user');
      assert.equal(used.length, 1);
      assert.equal(used[0]!.remaining, 1);
      const again = await f.startLogin('backup-user');
      const reused = await f.submitCode(again, '21390');
      assert.equal(reused.status, 401);
      assert.equal(messageIdOf(reused), 'sms-otp.invalid-code');
      assert.equal((await f.user(user.id)).failedOtpCount, 1);
      await f.finish(again, await f.submitCode(again, '10300'));
    });

    test('backup codes off: a valid backup code is just a wrong code', async () => {
      await f.configure({ backupCodes: false });
      try {
        const user = await f.addUser('no-backup', { [ClaimUri.mobile]: MOBILE });
        await f.server.services.backupCodes.replace(user.id, ['55555']);
        const login = await f.startLogin('no-backup');
        assert.equal(messageIdOf(await f.submitCode(login, '55555')), 'sms-otp.invalid-code');
        assert.equal(await f.server.services.backupCodes.remaining(user.id), 1);
      } finally {
        await f.configure({ backupCodes: true });
      }
    });
  });
}
