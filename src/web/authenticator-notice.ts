/**
 * Tells a user by SMS that someone else changed their authenticators, through the gateway of the SMS OTP identity
 * provider, so that a reset second factor never goes unnoticed by its owner. A notice that cannot be sent never
 * undoes or fails the change: it is audited (and logged) as failed instead.
 */
import { smsOtpProvider } from '../account/factors.js';
import { sendSms } from '../account/sms.js';
import { AUTHENTICATOR_LABELS, type AuthenticatorKind } from '../identity/authenticator-changes.js';
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
    // the same send as My Account's notices: the provider's first gateway, recorded in the SMS message log
    const { outcome, ...data } = await sendSms(
      services.smsGateway,
      smsOtpProvider(await services.identityProviders.list()),
      notice.mobileBefore || notice.mobileAfter,
      noticeText(user.username, changes),
      services.smsMessages,
    );
    return await record(outcome, data);
  } catch (err) {
    await record('failed', { reason: err instanceof Error ? err.message : String(err) });
  }
}
