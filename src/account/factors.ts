/**
 * What a user has to sign in with, as My Account shows it and its rules weigh it: the mobile number and whether SMS
 * OTP is on for it, authenticator apps, passkeys, unused backup codes, and the policy around them (may the user
 * switch SMS OTP off, is it mandatory, do their logins need two factors).
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { PasskeyCredential, PasskeyCredentialStore } from '../authenticators/passkey/credentials.js';
import { readConfig, type SmsOtpConfig } from '../authenticators/sms-otp/config.js';
import type { TotpCredential, TotpCredentialStore } from '../authenticators/totp/credentials.js';
import type { ApplicationStore } from '../identity/applications.js';
import type { BackupCodeStore } from '../identity/backup-codes.js';
import { ClaimUri } from '../identity/claim-uris.js';
import type { IdentityProvider, IdentityProviderStore } from '../identity/identity-providers.js';
import { claimValue, type User } from '../identity/users.js';
import type { Db } from '../store/db.js';

export interface FactorDeps {
  db: Db;
  applications: Pick<ApplicationStore, 'list'>;
  identityProviders: Pick<IdentityProviderStore, 'list'>;
  totpCredentials: Pick<TotpCredentialStore, 'list'>;
  passkeyCredentials: Pick<PasskeyCredentialStore, 'list'>;
  backupCodes: Pick<BackupCodeStore, 'remaining'>;
}

export interface SmsOtpProvider {
  idp: IdentityProvider;
  config: SmsOtpConfig;
}

export interface Factors {
  /** the stored mobile number (E.164), if any */
  mobile: string | undefined;
  /** the SMS OTP identity provider My Account sends through (`smsOTP` when enabled, else the first enabled one) */
  sms: SmsOtpProvider | undefined;
  /** the user switched SMS OTP off with the Disable SMSOTP claim */
  smsOtpDisabled: boolean;
  /** codes reach the user: a provider, a possible number, not switched off (while the claim is honoured) */
  smsOtpOn: boolean;
  /** users may switch SMS OTP off: the provider honours the Disable SMSOTP claim and the claim is supported by default */
  userMaySwitchSmsOtp: boolean;
  /** SMS OTP is mandatory: a user who switched it off cannot pass an SMS OTP step */
  smsOtpMandatory: boolean;
  totp: TotpCredential[];
  passkeys: PasskeyCredential[];
  backupCodesLeft: number;
  /** some application's sequence has a step after the first: the user's logins need a second factor */
  requiresTwoFactors: boolean;
}

/** The SMS OTP identity provider for self-service codes and notices. */
export function smsOtpProvider(idps: IdentityProvider[]): SmsOtpProvider | undefined {
  const usable = idps.filter((i) => i.enabled && i.authenticators.some((a) => a.type === 'sms-otp' && a.enabled));
  const idp = usable.find((i) => i.name === 'smsOTP') ?? usable[0];
  if (!idp) return undefined;
  const entry = idp.authenticators.find((a) => a.type === 'sms-otp' && a.enabled)!;
  return { idp, config: readConfig(entry.config) };
}

export function canReceiveSms(mobile: string | undefined): boolean {
  return mobile !== undefined && parsePhoneNumberFromString(mobile)?.isPossible() === true;
}

export async function loadFactors(deps: FactorDeps, user: User): Promise<Factors> {
  const [mobile, disabledClaim, idps, totp, passkeys, backupCodesLeft, apps, claim] = await Promise.all([
    claimValue(deps.db, user, ClaimUri.mobile),
    claimValue(deps.db, user, ClaimUri.smsOtpDisabled),
    deps.identityProviders.list(),
    deps.totpCredentials.list(user.id),
    deps.passkeyCredentials.list(user.id),
    deps.backupCodes.remaining(user.id),
    deps.applications.list(),
    deps.db
      .selectFrom('local_claims')
      .select(['supported_by_default', 'read_only'])
      .where('uri', '=', ClaimUri.smsOtpDisabled)
      .executeTakeFirst(),
  ]);
  const sms = smsOtpProvider(idps);
  const smsOtpDisabled = /^\s*true\s*$/i.test(disabledClaim ?? '');
  const honoured = sms?.config.enableByUserClaim ?? false;
  // the guide's "allow users to disable SMS OTP": the claim is honoured and offered to users (supported by default)
  const offered = claim !== undefined && Number(claim.supported_by_default) === 1 && Number(claim.read_only) === 0;
  return {
    mobile: mobile || undefined,
    sms,
    smsOtpDisabled,
    smsOtpOn: sms !== undefined && canReceiveSms(mobile) && !(honoured && smsOtpDisabled),
    userMaySwitchSmsOtp: honoured && offered,
    smsOtpMandatory: sms?.config.mandatory ?? false,
    totp,
    passkeys: passkeys.map(({ id, userId, label, transports, deviceType, backedUp, createdAt, lastUsedAt }) => ({
      id,
      userId,
      label,
      transports,
      deviceType,
      backedUp,
      createdAt,
      lastUsedAt,
    })),
    backupCodesLeft,
    requiresTwoFactors: apps.some((a) => a.steps.length > 1),
  };
}

/** Second factors the user has: SMS OTP while it is on, each authenticator app, each passkey. */
export function secondFactorCount(f: Pick<Factors, 'smsOtpOn' | 'totp' | 'passkeys'>): number {
  return (f.smsOtpOn ? 1 : 0) + f.totp.length + f.passkeys.length;
}
