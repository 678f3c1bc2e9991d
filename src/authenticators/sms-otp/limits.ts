/**
 * Send limits, counted in the shared state store so that every node sees the same counts: a cooldown between two
 * SMS of one login, SMS per login, per client IP, per account, per phone number, a global hourly budget, and the
 * destination-country allow-list. Checked in order; the first limit reached refuses the send.
 */
import type { Keyring } from '../../crypto/keyring.js';
import type { StateStore } from '../../state/state-store.js';
import type { SmsOtpConfig } from './config.js';
import { countryAllowed } from './mobile.js';
import type { LimitId } from './reasons.js';

export interface SendRequest {
  loginId: string;
  userId: string;
  ip: string;
  /** E.164 */
  to: string;
  country: string | undefined;
  now: number;
}

export type LimitVerdict = { ok: true } | { ok: false; limit: LimitId; retryAfterMs?: number };

const MINUTE = 60_000;

export function cooldownKey(loginId: string): string {
  return `smsotp:cooldown:${loginId}`;
}

export function createSendLimits(state: StateStore, keyring: Keyring) {
  /** Adds one to a counter; over `max` means refused (the counter keeps the refused attempt, which is harmless). */
  const over = async (key: string, max: number, windowMs: number) =>
    max > 0 && (await state.increment(key, windowMs)) > max;
  // phone numbers and IPs are keyed by a keyed hash: the state store never holds them in clear
  const keyOf = (kind: string, value: string) => `smsotp:${kind}:${keyring.mac('sms-limit', kind, value).slice(0, 32)}`;

  return {
    /** Takes one SMS from every budget, or says which budget is spent. */
    async take(config: SmsOtpConfig, req: SendRequest, loginTtlMs: number): Promise<LimitVerdict> {
      if (!countryAllowed(req.country, config)) return { ok: false, limit: 'country' };
      const cooldownMs = config.resendCooldownSeconds * 1000;
      // one SMS per cooldown window and login, whichever node serves the request
      if (cooldownMs > 0 && (await state.increment(cooldownKey(req.loginId), cooldownMs)) > 1)
        return { ok: false, limit: 'cooldown' };
      const { limits } = config;
      const checks: [LimitId, () => Promise<boolean>][] = [
        ['per-login', () => over(`smsotp:sends:${req.loginId}`, config.maxResends + 1, loginTtlMs)],
        ['per-ip', () => over(keyOf('ip', req.ip), limits.perIp.max, limits.perIp.windowMinutes * MINUTE)],
        [
          'per-account',
          () => over(`smsotp:account:${req.userId}`, limits.perAccount.max, limits.perAccount.windowMinutes * MINUTE),
        ],
        [
          'per-number',
          () => over(keyOf('number', req.to), limits.perNumber.max, limits.perNumber.windowMinutes * MINUTE),
        ],
        [
          'global',
          () => over(`smsotp:global:${Math.floor(req.now / (60 * MINUTE))}`, limits.globalPerHour, 60 * MINUTE),
        ],
      ];
      for (const [limit, check] of checks) {
        if (await check()) {
          // a refused send must not hold the cooldown: the user may try again at once
          await state.resetCounter(cooldownKey(req.loginId));
          return { ok: false, limit };
        }
      }
      return { ok: true };
    },
    /** A send that failed at the provider frees the cooldown, so "try again" works at once. */
    async releaseCooldown(loginId: string): Promise<void> {
      await state.resetCounter(cooldownKey(loginId));
    },
  };
}

export type SendLimits = ReturnType<typeof createSendLimits>;
