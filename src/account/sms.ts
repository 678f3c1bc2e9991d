/**
 * Self-service SMS: the code that confirms a new mobile number and the notices of a change, sent through the gateway
 * of the SMS OTP identity provider (the same provider, gateway pool and truststore as the login's codes). A notice
 * that cannot be sent never undoes the change; the caller audits the outcome.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskMobile } from '../authenticators/sms-otp/mask.js';
import { AUTHENTICATOR_LABELS, type AuthenticatorKind } from '../identity/authenticator-changes.js';
import { otpText, type SmsGateway } from '../sms/index.js';
import { gatewayConfigOf, SMS_OTP } from '../sms-test/gateway-config.js';
import type { SmsOtpProvider } from './factors.js';

export type SmsOutcome = { outcome: 'sent' | 'failed' | 'skipped'; to?: string; reason?: string; idp?: string };

export function masked(number: string): string {
  return maskMobile(number, { digitsShown: 4, from: 'end' });
}

export async function sendSms(
  gateway: Pick<SmsGateway, 'send'>,
  provider: SmsOtpProvider | undefined,
  number: string | undefined,
  text: string,
): Promise<SmsOutcome> {
  if (!number) return { outcome: 'skipped', reason: 'the user has no mobile number' };
  const parsed = parsePhoneNumberFromString(number.trim());
  const to = masked(parsed?.number ?? number);
  if (!parsed?.isPossible()) return { outcome: 'failed', to, reason: 'the mobile number cannot receive SMS' };
  if (!provider) return { outcome: 'skipped', to, reason: 'no enabled SMS OTP identity provider' };
  const entry = provider.idp.authenticators.find((a) => a.type === SMS_OTP && a.enabled);
  const found = entry ? gatewayConfigOf(entry.config) : undefined;
  if (!found?.ok)
    return { outcome: 'failed', to, idp: provider.idp.name, reason: 'the gateway configuration is not valid' };
  try {
    const result = await gateway.send(found.gateway, { to: parsed.number, text });
    return result.ok
      ? { outcome: 'sent', to, idp: provider.idp.name }
      : { outcome: 'failed', to, idp: provider.idp.name, reason: `${result.code}: ${result.reason}` };
  } catch (err) {
    return { outcome: 'failed', to, idp: provider.idp.name, reason: err instanceof Error ? err.message : String(err) };
  }
}

export function changeNoticeText(username: string, changes: AuthenticatorKind[]): string {
  return (
    `Stepgate: ${changes.map((c) => AUTHENTICATOR_LABELS[c]).join(', ')} changed for ${username} in My Account. ` +
    'If this was not you, sign in and end your sessions, or contact your administrator.'
  );
}

/** The code for a new number in the provider's own message template (the operator's wording, as at login). */
export function numberCodeText(provider: SmsOtpProvider | undefined, code: string, expirySeconds: number): string {
  return otpText({
    template: provider?.config.messageTemplate ?? 'Verification Code: {code}',
    code,
    expirySeconds,
    application: 'My Account',
  });
}

export function sessionsNoticeText(username: string, all: boolean): string {
  return (
    `Stepgate: ${all ? 'every session' : 'a session'} of ${username} was ended in My Account. ` +
    'If this was not you, change your password or contact your administrator.'
  );
}
