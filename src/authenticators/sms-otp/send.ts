/**
 * Issues a new code and sends it: refuses number types the operator excludes, takes one SMS from every send limit,
 * draws the code, renders the message and hands it to the route's gateways in order. A definitive failure of one
 * gateway (refused, TLS, 4xx/5xx, a rejecting answer) moves to the next within the same request; a timeout stops
 * there (the message may be on its way) unless that gateway allows failover on timeout; a gateway whose shared
 * breaker is open is skipped (and tried last, only when every other one failed). On success the new code replaces the old one in the step state. When no gateway sent
 * it and none may have, the SMS goes back to every limit, so a login stuck in an outage recovers with the provider;
 * a timeout counts as sent, and its code is kept, because the provider may have delivered it.
 */

import { chooseLocale, userLocaleOf } from '../../authn/messages-locale.js';
import type { Keyring } from '../../crypto/keyring.js';
import { mayHaveBeenDelivered, otpText, type SendFailure, type SmsGateway, templateFor } from '../../sms/index.js';
import type { Breaker } from './breaker.js';
import type { SmsOtpConfig } from './config.js';
import { deliver } from './deliver.js';
import { type LimitHint, limitHint, type SendLimits } from './limits.js';
import { refusedNumberType } from './number-type.js';
import { generateOtp, hashOtp } from './otp.js';
import { AuditEvent, type LimitId } from './reasons.js';
import { type RoutedGateway, routeFor } from './routing.js';
import type { SmsOtpContext, SmsOtpState } from './state.js';

export interface SendDeps {
  keyring: Keyring;
  gateway: SmsGateway;
  limits: SendLimits;
  breaker: Breaker;
  loginTtlMs: number;
  /** development mode: a refused send says which limit and where to change it (page and audit event) */
  development?: boolean;
}

export type SendOutcome =
  | { ok: true }
  | { ok: false; limit: LimitId; hint?: LimitHint }
  /** `detailed`: the gateway that failed shows the provider's (masked) answer to the user */
  | { ok: false; failure: SendFailure; detailed: boolean };

/** The SMS text: the template with the code, the app's SMS Retriever hash and the WebOTP line (`@host #code`). */
export function renderMessage(
  config: SmsOtpConfig,
  code: string,
  ctx: Pick<SmsOtpContext, 'publicUrl' | 'application'> & Partial<Pick<SmsOtpContext, 'client' | 'user'>>,
): string {
  const appHash = config.androidAppHash[ctx.application.name];
  // the login's language: ui_locales, the user's locale claim, Accept-Language, English (docs/languages.md)
  const locale = chooseLocale(ctx.client?.locales, userLocaleOf(ctx.user));
  return otpText({
    template: templateFor(config.messageTemplate, config.templates, locale),
    code,
    expirySeconds: config.expirySeconds,
    application: ctx.application.name,
    ...(config.webOtp ? { webOtpHost: new URL(ctx.publicUrl).hostname } : {}),
    ...(appHash ? { androidAppHash: appHash } : {}),
  });
}

function providerOf(gateway: RoutedGateway): string {
  return gateway.config.preset?.provider ?? 'custom';
}

export async function sendCode(
  deps: SendDeps,
  ctx: SmsOtpContext,
  config: SmsOtpConfig,
  s: SmsOtpState,
  to: { e164: string; country: string | undefined; masked: string },
): Promise<SendOutcome> {
  const user = ctx.user!;
  const resend = s.sends > 0;
  s.mobile = to.e164;
  s.maskedMobile = to.masked;
  s.country = to.country;
  const refusedType = refusedNumberType(to.e164, config);
  if (refusedType !== undefined) {
    await ctx.audit(AuditEvent.limitReached, {
      limit: 'number-type',
      numberType: refusedType,
      to: to.masked,
      country: to.country ?? null,
    });
    const hint = deps.development ? limitHint(config, 'number-type', ctx.idp?.name ?? 'smsOTP') : undefined;
    return hint ? { ok: false, limit: 'number-type', hint } : { ok: false, limit: 'number-type' };
  }
  const verdict = await deps.limits.take(
    config,
    { loginId: ctx.loginId, userId: user.id, ip: ctx.client.ip, to: to.e164, country: to.country, now: ctx.now },
    deps.loginTtlMs,
  );
  if (!verdict.ok) {
    const hint = deps.development ? limitHint(config, verdict.limit, ctx.idp?.name ?? 'smsOTP') : undefined;
    if (verdict.limit !== 'cooldown')
      await ctx.audit(AuditEvent.limitReached, {
        limit: verdict.limit,
        to: to.masked,
        country: to.country ?? null,
        ...(hint ? { setting: hint.setting, value: hint.value, where: hint.where } : {}),
      });
    return hint ? { ...verdict, hint } : verdict;
  }
  s.sends += 1;
  const issued = generateOtp(config.otpLength, config.numericOnly);
  const { route, gateways } = routeFor(config, to);
  const delivery = await deliver(deps, config, ctx.idp?.id ?? 'smsOTP', gateways, {
    to: to.e164,
    text: renderMessage(config, issued.code, ctx),
    otp: issued.code,
  });
  const { result, gateway, tried } = delivery;
  const sentAt = ctx.now + delivery.latencyMs;
  const counted = result.ok || mayHaveBeenDelivered(result.code);
  if (counted) {
    s.otp = {
      id: issued.id,
      hash: hashOtp(deps.keyring, ctx.loginId, issued.id, issued.code),
      sentAt,
      expiresAt: sentAt + config.expirySeconds * 1000,
    };
    s.attemptsId = issued.id;
    s.lastSentAt = sentAt;
    s.phase = 'code';
  }
  const via = {
    gateway: gateway?.name ?? null,
    provider: gateway ? providerOf(gateway) : null,
    route,
    tried,
  };
  if (!result.ok) {
    if (!counted) {
      await deps.limits.refund(verdict.taken);
      s.sends -= 1;
    }
    await ctx.audit(AuditEvent.sendFailed, {
      to: to.masked,
      country: to.country ?? null,
      ...via,
      code: result.code,
      reason: result.reason,
      status: result.status ?? null,
      latencyMs: delivery.latencyMs,
      resend,
      counted,
    });
    return { ok: false, failure: result, detailed: gateway?.config.showDetailedErrors ?? false };
  }
  await ctx.audit(AuditEvent.sent, {
    to: to.masked,
    country: to.country ?? null,
    ...via,
    messageId: result.messageId ?? null,
    latencyMs: delivery.latencyMs,
    resend,
  });
  return { ok: true };
}
