/**
 * The change rules of My Account (account/rules.ts) as a table: each row a session, the user's factors and a change,
 * and the rule that must refuse it (or none). The HTTP suites show the same rules through the pages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Factors } from '../../src/account/factors.js';
import { type AccountChange, refusalOf } from '../../src/account/rules.js';

// only their number matters to the rules
const app = { id: 't1', userId: 'u', label: 'App', createdAt: 0, lastUsedAt: null } as Factors['totp'][number];
const key: Factors['passkeys'][number] = {
  id: 'k1',
  userId: 'u',
  label: 'Key',
  transports: [],
  deviceType: 'singleDevice',
  backedUp: false,
  createdAt: 0,
  lastUsedAt: null,
};
const provider = { idp: { name: 'smsOTP' }, config: {} } as unknown as Factors['sms'];

function factors(over: Partial<Factors> = {}): Factors {
  return {
    mobile: '+94771234567',
    sms: provider,
    smsOtpDisabled: false,
    smsOtpOn: true,
    userMaySwitchSmsOtp: true,
    smsOtpMandatory: false,
    totp: [],
    passkeys: [],
    backupCodesLeft: 0,
    requiresTwoFactors: true,
    ...over,
  };
}

const fresh2 = { fresh: true, twoFactor: true };
const fresh1 = { fresh: true, twoFactor: false };
const stale2 = { fresh: false, twoFactor: true };

const rows: [string, AccountChange, typeof fresh2, Factors, string | undefined][] = [
  ['a stale sign-in changes nothing', { kind: 'backup-codes' }, stale2, factors(), 'reauth-needed'],
  [
    'one factor cannot add a second to a user who has one',
    { kind: 'add-factor' },
    fresh1,
    factors(),
    'two-factor-session-needed',
  ],
  [
    'one factor may add the first second factor',
    { kind: 'add-factor' },
    fresh1,
    factors({ smsOtpOn: false, mobile: undefined }),
    undefined,
  ],
  [
    'SMS off needs two factors even without others',
    { kind: 'sms-otp-off' },
    fresh1,
    factors({ smsOtpOn: false }),
    'two-factor-session-needed',
  ],
  [
    'SMS off needs the switch offered',
    { kind: 'sms-otp-off' },
    fresh2,
    factors({ userMaySwitchSmsOtp: false, totp: [app] }),
    'sms-otp-not-switchable',
  ],
  [
    'SMS off as the only factor when logins need two',
    { kind: 'sms-otp-off' },
    fresh2,
    factors(),
    'another-factor-needed',
  ],
  [
    'SMS off as the only factor when mandatory',
    { kind: 'sms-otp-off' },
    fresh2,
    factors({ requiresTwoFactors: false, smsOtpMandatory: true }),
    'another-factor-needed',
  ],
  [
    'SMS off as the only factor when nothing needs two',
    { kind: 'sms-otp-off' },
    fresh2,
    factors({ requiresTwoFactors: false }),
    undefined,
  ],
  ['SMS off beside an app', { kind: 'sms-otp-off' }, fresh2, factors({ totp: [app] }), undefined],
  [
    'the last app of a user whose logins need two',
    { kind: 'remove-factor', factor: 'totp' },
    fresh2,
    factors({ smsOtpOn: false, totp: [app] }),
    'last-factor',
  ],
  [
    'the last passkey of a user whose logins need two',
    { kind: 'remove-factor', factor: 'passkey' },
    fresh2,
    factors({ smsOtpOn: false, passkeys: [key] }),
    'last-factor',
  ],
  ['an app beside SMS may go', { kind: 'remove-factor', factor: 'totp' }, fresh2, factors({ totp: [app] }), undefined],
  [
    'the last factor when nothing needs two',
    { kind: 'remove-factor', factor: 'totp' },
    fresh2,
    factors({ smsOtpOn: false, totp: [app], requiresTwoFactors: false }),
    undefined,
  ],
  [
    'a number change needs a provider',
    { kind: 'change-mobile' },
    fresh2,
    factors({ sms: undefined, smsOtpOn: false, totp: [app] }),
    'no-sms-provider',
  ],
  ['a number change from two factors', { kind: 'change-mobile' }, fresh2, factors(), undefined],
];

for (const [name, change, session, f, expected] of rows) {
  test(`rules: ${name} → ${expected ?? 'allowed'}`, () => {
    assert.equal(refusalOf(change, session, f), expected);
  });
}
