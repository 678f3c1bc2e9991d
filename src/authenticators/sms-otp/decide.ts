/**
 * What the SMS OTP step does for this user: skip it, send a code, capture a number first, or refuse. The decision
 * is an ordered list of named rules (WSO2's decision tree, reference §3.1–3.2); the first rule that matches wins,
 * and its id goes into the audit event.
 */
import type { FailureReason } from '../../authn/authenticator.js';
import type { SmsOtpMessageId } from './messages.js';
import type { RuleId } from './reasons.js';

export interface Facts {
  /** the user an earlier step established is in the local user store (the engine runs this step only with one) */
  userInStore: boolean;
  /** that user's account is disabled: no code is ever sent to it */
  disabled: boolean;
  locked: boolean;
  /** enable-by-claim is on and the user's Disable SMSOTP claim is true */
  disabledByUser: boolean;
  mandatory: boolean;
  /** the profile holds a mobile number */
  hasMobile: boolean;
  /** that number can be sent to (a possible phone number) */
  mobileUsable: boolean;
  captureEnabled: boolean;
}

export type Action =
  | { kind: 'skip' }
  | { kind: 'send' }
  | { kind: 'capture' }
  | { kind: 'refuse'; reason: FailureReason; message: SmsOtpMessageId };

export interface Rule {
  id: RuleId;
  when(f: Facts): boolean;
  action: Action;
}

const refuse = (reason: FailureReason, message: SmsOtpMessageId): Action => ({ kind: 'refuse', reason, message });

export const RULES: readonly Rule[] = [
  { id: 'user-not-in-store', when: (f) => !f.userInStore && !f.mandatory, action: { kind: 'skip' } },
  {
    id: 'user-not-in-store-mandatory',
    when: (f) => !f.userInStore,
    action: refuse('user-not-found', 'sms-otp.user-not-found'),
  },
  { id: 'user-disabled', when: (f) => f.disabled, action: refuse('user-disabled', 'sms-otp.user-disabled') },
  { id: 'account-locked', when: (f) => f.locked, action: refuse('user-locked', 'sms-otp.locked') },
  {
    id: 'disabled-by-user-mandatory',
    when: (f) => f.disabledByUser && f.mandatory,
    action: refuse('sms-otp-disabled', 'sms-otp.disabled'),
  },
  { id: 'disabled-by-user', when: (f) => f.disabledByUser, action: { kind: 'skip' } },
  { id: 'has-mobile', when: (f) => f.hasMobile && f.mobileUsable, action: { kind: 'send' } },
  // a stored number that cannot receive a code is no dead end while capture is on: the user gives a working one
  { id: 'capture-mobile', when: (f) => f.captureEnabled, action: { kind: 'capture' } },
  { id: 'mobile-unusable', when: (f) => f.hasMobile, action: refuse('no-mobile-number', 'sms-otp.bad-mobile') },
  { id: 'no-mobile', when: () => true, action: refuse('no-mobile-number', 'sms-otp.no-mobile') },
];

export function decide(facts: Facts): { rule: RuleId; action: Action } {
  const rule = RULES.find((r) => r.when(facts))!;
  return { rule: rule.id, action: rule.action };
}
