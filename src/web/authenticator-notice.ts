/**
 * Tells a user by SMS that someone else changed their authenticators, through the gateway of the SMS OTP identity
 * provider, so that a reset second factor never goes unnoticed by its owner. A notice that cannot be sent never
 * undoes or fails the change: it is audited (and logged) as failed instead.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskMobile } from '../authenticators/sms-otp/mask.js';
import { AUTHENTICATOR_LABELS, type AuthenticatorKind } from '../identity/authenticator-changes.js';
import type { IdentityProvider } from '../identity/identity-providers.js';
import { gatewayConfigOf, SMS_OTP } from '../sms-test/gateway-config.js';
import type { Actor } from './json-api/auth.js';
import type { JsonApiServices as Services } from './json-api/services.js';

export const NOTICE_EVENT = 'admin.user.authenticators-notice';

export interface ChangeNotice {
  actor: Actor;
  user: { id: string; username: string };
  changes: AuthenticatorKind[];
  /** the user's mobile number before the change: a new number may be the one an attacker chose, the old one is not */
  mobileBefore: string | undefined;
  mobileAfter: string | undefined;
  /** records an audit event with the caller as actor */
  audit(event: string, data: Record<string, unknown>): Promise<void>;
  log?: { warn(obj: object, msg: string): void };
}

/** The SMS OTP identity provider whose gateway carries the notice: `smsOTP` when it is enabled, else the first one. */
function noticeProvider(idps: IdentityProvider[]): IdentityProvider | undefined {
  const usable = idps.filter((i) => i.enabled && i.authenticators.some((a) => a.type === SMS_OTP && a.enabled));
  return usable.find((i) => i.name === 'smsOTP') ?? usable[0];
}

export function noticeText(username: string, changes: AuthenticatorKind[]): string {
  return (
    `Stepgate: an administrator changed how you sign in as ${username}: ` +
    `${changes.map((c) => AUTHENTICATOR_LABELS[c]).join(', ')}. If you did not ask for this, contact your administrator.`
  );
}

/**
 * Sends the notice when `actor` changed authenticators of a user other than themselves, and audits the outcome.
 * Never throws.
 */
/** The name the first gateway of an SMS OTP configuration goes by: its own in a list, `default` for the single one. */
function noticeGatewayName(config: Record<string, unknown>): string {
  const first = Array.isArray(config.gateways) ? (config.gateways[0] as { name?: unknown } | undefined) : undefined;
  return typeof first?.name === 'string' ? first.name : 'default';
}

export async function announceAuthenticatorChange(
  services: Pick<Services, 'identityProviders' | 'smsGateway'> & Partial<Pick<Services, 'smsMessages'>>,
  notice: ChangeNotice,
): Promise<void> {
  const { actor, user, changes } = notice;
  if (changes.length === 0 || (actor.kind === 'user' && actor.userId === user.id)) return;
  const base = { targetUserId: user.id, targetUsername: user.username, changes };
  const record = async (outcome: 'sent' | 'failed' | 'skipped', data: Record<string, unknown>) => {
    if (outcome === 'failed') notice.log?.warn({ ...base, ...data }, 'the notice of an authenticator change failed');
    await notice.audit(NOTICE_EVENT, { ...base, outcome, ...data }).catch(() => undefined);
  };
  try {
    const raw = notice.mobileBefore || notice.mobileAfter;
    if (!raw) return await record('skipped', { reason: 'the user has no mobile number' });
    const parsed = parsePhoneNumberFromString(raw.trim());
    const masked = maskMobile(parsed?.number ?? raw, { digitsShown: 4, from: 'end' });
    if (!parsed?.isPossible())
      return await record('failed', { to: masked, reason: 'the mobile number cannot receive SMS' });
    const idp = noticeProvider(await services.identityProviders.list());
    if (!idp) return await record('skipped', { to: masked, reason: 'no enabled SMS OTP identity provider' });
    const entry = idp.authenticators.find((a) => a.type === SMS_OTP && a.enabled)!;
    const found = gatewayConfigOf(entry.config);
    if (!found.ok)
      return await record('failed', { to: masked, idp: idp.name, reason: 'the gateway configuration is not valid' });
    // the notice goes through the first gateway (sms-test/gateway-config.ts), recorded under its name with its receipts
    const gatewayName = noticeGatewayName(entry.config);
    const text = noticeText(user.username, changes);
    const result = await services.smsGateway.send(
      services.smsMessages?.forSend(found.gateway, idp.id, gatewayName) ?? found.gateway,
      { to: parsed.number, text },
    );
    if (result.ok) {
      await services.smsMessages?.recordSent({
        idpId: idp.id,
        gateway: gatewayName,
        provider: found.gateway.preset?.provider ?? 'custom',
        providerMessageId: result.messageId,
        purpose: 'notice',
        to: parsed.number,
        masked,
        country: parsed.country,
        text,
      });
      return await record('sent', { to: masked, idp: idp.name });
    }
    return await record('failed', { to: masked, idp: idp.name, code: result.code, reason: result.reason });
  } catch (err) {
    await record('failed', { reason: err instanceof Error ? err.message : String(err) });
  }
}
