/** Stable ids this authenticator writes into audit events: decision rules, send limits and the events themselves. */

/** The rules of the skip / send / capture / refuse decision (decide.ts), in the order they are tried. */
export const RULE_IDS = [
  'user-not-in-store',
  'user-not-in-store-mandatory',
  'user-disabled',
  'account-locked',
  'disabled-by-user-mandatory',
  'disabled-by-user',
  'has-mobile',
  'capture-mobile',
  'mobile-unusable',
  'no-mobile',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** The send limits (limits.ts), checked before every SMS; `number-type` is the refused number types (number-type.ts). */
export const LIMIT_IDS = [
  'country',
  'number-type',
  'cooldown',
  'per-login',
  'per-ip',
  'per-account',
  'per-number',
  'global',
  // the fraud defence (fraud/): a blocked destination, a throttled country or prefix, every gateway over its spend cap
  'blocked',
  'conversion',
  'spend-cap',
] as const;
export type LimitId = (typeof LIMIT_IDS)[number];

/** Audit event names; docs/sms-otp.md lists their data. */
export const AuditEvent = {
  sent: 'sms-otp.sent',
  sendFailed: 'sms-otp.send-failed',
  verified: 'sms-otp.verified',
  failed: 'sms-otp.failed',
  skipped: 'sms-otp.skipped',
  mobileSaved: 'sms-otp.mobile-saved',
  backupCodeUsed: 'backup-code.used',
  limitReached: 'sms.limit-reached',
  accountLocked: 'account.locked',
} as const;
