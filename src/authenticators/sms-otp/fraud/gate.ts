/**
 * The fraud checks around one send, in order: the block and allow lists → conversion monitoring (unless allow-listed)
 * → the send challenge for an IP past its soft limit. Then, during delivery, each gateway's daily spend cap; after a
 * send that went out, the counters of conversion and of the soft limit. Each refusal says which limit refused it.
 */
import type { PromptOutcome } from '../../../authn/authenticator.js';
import { countSegments } from '../../../sms/segments.js';
import type { SmsOtpConfig } from '../config.js';
import type { GatewayBudget } from '../deliver.js';
import type { SmsOtpContext } from '../state.js';
import type { SendChallenge } from './challenge.js';
import type { ConversionMonitor } from './conversion.js';
import { type Destination, listVerdict } from './destinations.js';
import { priceOf, type Reservation, type SpendCap } from './spend.js';

export interface FraudDefence {
  monitor: ConversionMonitor;
  spend: SpendCap;
  challenge: SendChallenge;
}

/** Audit events of the fraud defence; refusals are `sms.limit-reached` like every other send limit. */
export const FraudEvent = {
  conversionThrottled: 'sms-fraud.conversion-throttled',
  spendCapReached: 'sms-fraud.spend-cap-reached',
  challengeIssued: 'sms-fraud.challenge-issued',
  challengePassed: 'sms-fraud.challenge-passed',
  challengeFailed: 'sms-fraud.challenge-failed',
} as const;

export type Screening =
  | { ok: true }
  | { ok: false; limit: 'blocked' | 'conversion'; data: Record<string, unknown> }
  | { ok: false; challenge: { id: string; prompt: PromptOutcome } };

const idpOf = (ctx: SmsOtpContext) => ctx.idp?.id ?? 'smsOTP';
const request = (ctx: SmsOtpContext) => ({ loginId: ctx.loginId, ip: ctx.client.ip, now: ctx.now });

/** The checks before a send; `challengePassed`: this send follows a passed challenge. */
export async function screenSend(
  fraud: FraudDefence,
  ctx: SmsOtpContext,
  config: SmsOtpConfig,
  to: Destination & { masked: string },
  challengePassed: boolean,
): Promise<Screening> {
  const lists = listVerdict(config.fraud, to);
  if (lists.kind === 'blocked') return { ok: false, limit: 'blocked', data: { entry: lists.entry } };
  const conversion = config.fraud.conversion;
  const trip = lists.kind === 'allowed' ? undefined : await fraud.monitor.tripped(idpOf(ctx), to, conversion, ctx.now);
  if (trip) {
    const data = {
      scope: trip.scope.id,
      scopeKind: trip.scope.kind,
      sent: trip.sent,
      verified: trip.verified,
      action: conversion.action,
    };
    if (await fraud.monitor.announce(idpOf(ctx), trip.scope, conversion, ctx.now))
      await ctx.audit(FraudEvent.conversionThrottled, {
        ...data,
        country: to.country ?? null,
        minVerifiedPercent: conversion.minVerifiedPercent,
        windowMinutes: conversion.windowMinutes,
      });
    if (conversion.action === 'refuse' || !(await fraud.monitor.slowAllows(idpOf(ctx), trip.scope, conversion)))
      return { ok: false, limit: 'conversion', data };
  }
  const policy = config.fraud.challenge;
  if (!challengePassed && (await fraud.challenge.needed(request(ctx), policy))) {
    const issued = await fraud.challenge.issue(request(ctx), policy);
    await ctx.audit(FraudEvent.challengeIssued, { kind: fraud.challenge.kind, bits: policy.difficultyBits });
    return { ok: false, challenge: issued };
  }
  return { ok: true };
}

/** A code went out (or may have): it counts as sent for conversion, and toward the IP's soft limit. */
export async function countSend(fraud: FraudDefence, ctx: SmsOtpContext, config: SmsOtpConfig, to: Destination) {
  await fraud.monitor.sent(idpOf(ctx), to, config.fraud.conversion, ctx.now);
  await fraud.challenge.counted(request(ctx), config.fraud.challenge);
}

/** A code sent by SMS came back right: it counts as verified for its country and prefix. */
export async function countVerified(fraud: FraudDefence, ctx: SmsOtpContext, config: SmsOtpConfig, to: Destination) {
  await fraud.monitor.verified(idpOf(ctx), to, config.fraud.conversion, ctx.now);
}

/** Each gateway's daily spend cap for one message: the price is taken before the gateway is asked. */
export function spendBudget(
  fraud: FraudDefence,
  ctx: SmsOtpContext,
  config: SmsOtpConfig,
  to: Destination,
  text: string,
): GatewayBudget {
  const price = priceOf(config.fraud.spend, to, countSegments(text).segments);
  const held = new Map<string, Reservation>();
  return {
    async take(gateway) {
      const verdict = await fraud.spend.reserve(idpOf(ctx), gateway.name, config.fraud.spend, price, ctx.now);
      if (verdict.ok) {
        if (verdict.reservation) held.set(gateway.name, verdict.reservation);
        return true;
      }
      if (await fraud.spend.announce(idpOf(ctx), gateway.name, ctx.now))
        await ctx.audit(FraudEvent.spendCapReached, {
          gateway: gateway.name,
          cap: verdict.cap,
          spent: verdict.spent,
          day: verdict.day,
        });
      return false;
    },
    async giveBack(gateway) {
      const reservation = held.get(gateway.name);
      held.delete(gateway.name);
      if (reservation) await fraud.spend.release(reservation);
    },
  };
}
