/**
 * SMS to a user outside a login: My Account's code that confirms a new mobile number, its notices and the admin API's
 * notices of a change (web/authenticator-notice.ts), sent through the gateway
 * of the SMS OTP identity provider (the same provider, gateway pool and truststore as the login's codes). A notice
 * that cannot be sent never undoes the change; the caller audits the outcome. Each sent message is in the SMS
 * message log (`notice`), with its delivery receipts.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskMobile } from '../authenticators/sms-otp/mask.js';
import { AUTHENTICATOR_LABELS, type AuthenticatorKind } from '../identity/authenticator-changes.js';
import { otpText, type SmsGateway } from '../sms/index.js';
import type { SmsMessageLog } from '../sms/receipts/index.js';
import { gatewayConfigOf, SMS_OTP } from '../sms-test/gateway-config.js';
import type { SmsOtpProvider } from './factors.js';

export type SmsOutcome = {
  outcome: 'sent' | 'failed' | 'skipped';
  to?: string;
  reason?: string;
  idp?: string;
  /** why a sent message is missing from the SMS message log */
  unlogged?: string;
};

export function masked(number: string): string {
  return maskMobile(number, { digitsShown: 4, from: 'end' });
}

/** Where My Account's messages are logged, with their receipts (services.smsMessages): the notices' log. */
export type AccountSmsLog = Pick<SmsMessageLog, 'forSend' | 'recordSent'>;

/** The name the first gateway of an SMS OTP configuration goes by, as the admin notices record it. */
function firstGatewayName(config: Record<string, unknown>): string {
  const first = Array.isArray(config.gateways) ? (config.gateways[0] as { name?: unknown } | undefined) : undefined;
  return typeof first?.name === 'string' ? first.name : 'default';
}

/**
 * Sends `text` through the provider's first gateway. With a `log`, the send carries the gateway's receipt callback
 * and a sent message is recorded in the SMS message log as a `notice` (also the code for a new number: `otp` rows
 * are the login's codes, counted against the codes entered at login), so Console › Messages and the delivery
 * receipts see My Account's SMS like the admin notices.
 */
export async function sendSms(
  gateway: Pick<SmsGateway, 'send'>,
  provider: SmsOtpProvider | undefined,
  number: string | undefined,
  text: string,
  log?: AccountSmsLog,
): Promise<SmsOutcome> {
  if (!number) return { outcome: 'skipped', reason: 'the user has no mobile number' };
  const parsed = parsePhoneNumberFromString(number.trim());
  const to = masked(parsed?.number ?? number);
  if (!parsed?.isPossible()) return { outcome: 'failed', to, reason: 'the mobile number cannot receive SMS' };
  if (!provider) return { outcome: 'skipped', to, reason: 'no enabled SMS OTP identity provider' };
  const entry = provider.idp.authenticators.find((a) => a.type === SMS_OTP && a.enabled);
  const found = entry ? gatewayConfigOf(entry.config) : undefined;
  if (!entry || !found?.ok)
    return { outcome: 'failed', to, idp: provider.idp.name, reason: 'the gateway configuration is not valid' };
  const gatewayName = firstGatewayName(entry.config);
  let result: Awaited<ReturnType<SmsGateway['send']>>;
  try {
    result = await gateway.send(log?.forSend(found.gateway, provider.idp.id, gatewayName) ?? found.gateway, {
      to: parsed.number,
      text,
    });
  } catch (err) {
    return { outcome: 'failed', to, idp: provider.idp.name, reason: err instanceof Error ? err.message : String(err) };
  }
  if (!result.ok) return { outcome: 'failed', to, idp: provider.idp.name, reason: `${result.code}: ${result.reason}` };
  try {
    await log?.recordSent({
      idpId: provider.idp.id,
      gateway: gatewayName,
      provider: found.gateway.preset?.provider ?? 'custom',
      providerMessageId: result.messageId,
      purpose: 'notice',
      to: parsed.number,
      masked: to,
      country: parsed.country,
      text,
    });
  } catch (err) {
    // the message is on its way: a log that cannot take it is said in the outcome, it does not undo the send
    return { outcome: 'sent', to, idp: provider.idp.name, unlogged: err instanceof Error ? err.message : String(err) };
  }
  return { outcome: 'sent', to, idp: provider.idp.name };
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
