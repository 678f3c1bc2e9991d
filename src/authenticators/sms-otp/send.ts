/**
 * Issues a new code and sends it: refuses number types the operator excludes, takes one SMS from every send limit,
 * draws the code, renders the message and hands it to the route's gateways in order. A definitive failure of one
 * gateway (refused, TLS, 4xx/5xx, a rejecting answer) moves to the next within the same request; a timeout stops
 * there (the message may be on its way) unless that gateway allows failover on timeout; a gateway whose shared
 * breaker is open is skipped (and tried last, only when every other one failed). On success the new code replaces the old one in the step state. When no gateway sent
 * it and none may have, the SMS goes back to every limit, so a login stuck in an outage recovers with the provider;
 * a timeout counts as sent, and its code is kept, because the provider may have delivered it.
 */

import type { PromptOutcome } from '../../authn/authenticator.js';
import { chooseLocale, userLocaleOf } from '../../authn/messages-locale.js';
import type { Keyring } from '../../crypto/keyring.js';
import { mayHaveBeenDelivered, otpText, type SendFailure, type SmsGateway, templateFor } from '../../sms/index.js';
import type { SmsMessageLog } from '../../sms/receipts/index.js';
import type { Breaker } from './breaker.js';
import type { SmsOtpConfig } from './config.js';
import { deliver } from './deliver.js';
import { avoidUndelivered, receiptCallbacks, recordCode } from './delivery-log.js';
import { challengePage, countSend, type FraudDefence, screenSend, spendBudget } from './fraud/index.js';
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
  fraud: FraudDefence;
  /** the message log: receipt callbacks, the record of each code sent (absent in unit tests) */
  messages?: SmsMessageLog;
  loginTtlMs: number;
  /** development mode: a refused send says which limit and where to change it (page and audit event) */
  development?: boolean;
}

export type SendOutcome =
  | { ok: true }
  | { ok: false; limit: LimitId; hint?: LimitHint }
  /** the send waits for a passed challenge (fraud/challenge.ts): its page */
  | { ok: false; challenge: PromptOutcome }
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
  options: { challengePassed?: boolean } = {},
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
  const screened = await screenSend(deps.fraud, ctx, config, to, options.challengePassed === true);
  if (!screened.ok && 'challenge' in screened) {
    s.challenge = { id: screened.challenge.id, expiresAt: Number(screened.challenge.prompt.data.challengeExpiresAt) };
    return { ok: false, challenge: challengePage(screened.challenge.prompt, config, s) };
  }
  if (!screened.ok) {
    await ctx.audit(AuditEvent.limitReached, {
      limit: screened.limit,
      to: to.masked,
      country: to.country ?? null,
      ...screened.data,
    });
    const hint = deps.development ? limitHint(config, screened.limit, ctx.idp?.name ?? 'smsOTP') : undefined;
    return hint ? { ok: false, limit: screened.limit, hint } : { ok: false, limit: screened.limit };
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
  const { route, gateways: routed } = routeFor(config, to);
  const gateways = resend ? await avoidUndelivered(deps.messages, ctx.loginId, routed) : routed;
  const text = renderMessage(config, issued.code, ctx);
  const budget = spendBudget(deps.fraud, ctx, config, to, text);
  const callbacks = receiptCallbacks(deps.messages, ctx.idp?.id ?? 'smsOTP');
  const delivery = await deliver({ ...deps, budget, ...callbacks }, config, ctx.idp?.id ?? 'smsOTP', gateways, {
    to: to.e164,
    text,
    otp: issued.code,
  });
  const { result, gateway, tried } = delivery;
  // no gateway was asked because each one left is past its daily spend cap: a refusal, not an outage
  const capped = tried.some((t) => t.code === 'spend-cap');
  if (!result.ok && capped && tried.every((t) => t.code === 'spend-cap' || t.code === 'circuit-open')) {
    await deps.limits.refund(verdict.taken);
    s.sends -= 1;
    await ctx.audit(AuditEvent.limitReached, { limit: 'spend-cap', to: to.masked, country: to.country ?? null, tried });
    const hint = deps.development ? limitHint(config, 'spend-cap', ctx.idp?.name ?? 'smsOTP') : undefined;
    return hint ? { ok: false, limit: 'spend-cap', hint } : { ok: false, limit: 'spend-cap' };
  }
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
    await countSend(deps.fraud, ctx, config, to);
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
  if (gateway) await recordCode(deps.messages, ctx, gateway, result, to, text);
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
