/**
 * Whether a self-service change may go ahead: an ordered list of named rules, each with the reason it refuses for
 * (the reason is the page's message id and goes into the audit event). The first rule that refuses wins.
 */
import { type Factors, secondFactorCount } from './factors.js';

export type AccountChange =
  | { kind: 'add-factor' }
  | { kind: 'remove-factor'; factor: 'totp' | 'passkey' }
  | { kind: 'rename-factor' }
  | { kind: 'sms-otp-off' }
  | { kind: 'sms-otp-on' }
  | { kind: 'change-mobile' }
  | { kind: 'backup-codes' };

export type AccountRefusal =
  /** the sign-in is older than the re-authentication window */
  | 'reauth-needed'
  /** the user has a second factor and this session passed only one: one factor never buys another */
  | 'two-factor-session-needed'
  /** the configuration does not honour the Disable SMSOTP claim, or has no SMS OTP provider */
  | 'sms-otp-not-switchable'
  /** switching SMS OTP off would leave a user whose logins need two factors without a second one */
  | 'another-factor-needed'
  /** removing this would leave a user whose logins need two factors without a second one */
  | 'last-factor'
  /** the number change needs an SMS OTP provider to send the code through */
  | 'no-sms-provider';

export interface SessionFacts {
  fresh: boolean;
  twoFactor: boolean;
}

interface Rule {
  id: AccountRefusal;
  refuses(change: AccountChange, s: SessionFacts, f: Factors): boolean;
}

const count = secondFactorCount;

export const RULES: readonly Rule[] = [
  { id: 'reauth-needed', refuses: (_c, s) => !s.fresh },
  // a user with no second factor yet may add their first one after the password alone (nothing to protect then)
  {
    id: 'two-factor-session-needed',
    refuses: (c, s, f) => !s.twoFactor && (c.kind === 'sms-otp-off' || count(f) > 0),
  },
  {
    id: 'sms-otp-not-switchable',
    refuses: (c, _s, f) => (c.kind === 'sms-otp-off' || c.kind === 'sms-otp-on') && !f.userMaySwitchSmsOtp,
  },
  { id: 'no-sms-provider', refuses: (c, _s, f) => c.kind === 'change-mobile' && f.sms === undefined },
  {
    id: 'another-factor-needed',
    refuses: (c, _s, f) =>
      c.kind === 'sms-otp-off' && (f.smsOtpMandatory || f.requiresTwoFactors) && count(f) - (f.smsOtpOn ? 1 : 0) < 1,
  },
  {
    id: 'last-factor',
    refuses: (c, _s, f) => c.kind === 'remove-factor' && f.requiresTwoFactors && count(f) <= 1,
  },
];

/** The reason the change is refused, or undefined when it may go ahead. */
export function refusalOf(change: AccountChange, session: SessionFacts, factors: Factors): AccountRefusal | undefined {
  return RULES.find((r) => r.refuses(change, session, factors))?.id;
}
