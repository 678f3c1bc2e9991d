/**
 * Issues a new code and sends it: takes one SMS from every send limit, draws the code, renders the message and hands
 * it to the gateway. On success the new code replaces the old one in the step state. A definitive failure (refused,
 * TLS, 4xx/5xx, a rejecting answer) gives the SMS back to every limit, so a login stuck in an outage recovers with the
 * provider; a timeout counts as sent, and its code is kept, because the provider may have delivered it.
 */
import type { Keyring } from '../../crypto/keyring.js';
import { mayHaveBeenDelivered, type SendFailure, type SmsGateway } from '../../sms/index.js';
import type { SmsOtpConfig } from './config.js';
import { type LimitHint, limitHint, type SendLimits } from './limits.js';
import { generateOtp, hashOtp } from './otp.js';
import { AuditEvent, type LimitId } from './reasons.js';
import type { SmsOtpContext, SmsOtpState } from './state.js';

export interface SendDeps {
  keyring: Keyring;
  gateway: SmsGateway;
  limits: SendLimits;
  loginTtlMs: number;
  /** development mode: a refused send says which limit and where to change it (page and audit event) */
  development?: boolean;
}

export type SendOutcome =
  | { ok: true }
  | { ok: false; limit: LimitId; hint?: LimitHint }
  | { ok: false; failure: SendFailure };

/** The SMS text: the template with the code, plus the WebOTP line (`@host #code`) that lets phones fill the code in. */
export function renderMessage(
  config: SmsOtpConfig,
  code: string,
  ctx: Pick<SmsOtpContext, 'publicUrl' | 'application'>,
): string {
  const text = config.messageTemplate
    .replaceAll('{code}', code)
    .replaceAll('{minutes}', String(Math.max(1, Math.round(config.expirySeconds / 60))))
    .replaceAll('{application}', ctx.application.name);
  return config.webOtp ? `${text}\n\n@${new URL(ctx.publicUrl).hostname} #${code}` : text;
}

function providerOf(config: SmsOtpConfig): string {
  return config.gateway.preset?.provider ?? 'custom';
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
  const result = await deps.gateway.send(config.gateway, {
    to: to.e164,
    text: renderMessage(config, issued.code, ctx),
    otp: issued.code,
  });
  const sentAt = ctx.now + result.latencyMs;
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
  if (!result.ok) {
    if (!counted) {
      await deps.limits.refund(verdict.taken);
      s.sends -= 1;
    }
    await ctx.audit(AuditEvent.sendFailed, {
      to: to.masked,
      country: to.country ?? null,
      provider: providerOf(config),
      code: result.code,
      reason: result.reason,
      status: result.status ?? null,
      latencyMs: result.latencyMs,
      resend,
      counted,
    });
    return { ok: false, failure: result };
  }
  await ctx.audit(AuditEvent.sent, {
    to: to.masked,
    country: to.country ?? null,
    provider: providerOf(config),
    messageId: result.messageId ?? null,
    latencyMs: result.latencyMs,
    resend,
  });
  return { ok: true };
}
