/**
 * Send limits, counted in the shared state store so that every node sees the same counts: a cooldown between two
 * SMS of one login, SMS per login, per client IP, per account, per phone number, a global hourly budget, and the
 * destination-country allow-list. Checked in order; the first limit reached refuses the send. An SMS is taken from
 * every budget before it is sent (so concurrent sends cannot overrun a limit) and given back when it was refused or
 * when the provider definitively did not send it.
 */
import type { Keyring } from '../../crypto/keyring.js';
import type { StateStore } from '../../state/state-store.js';
import { type SmsOtpConfig, SmsOtpConfigSchema } from './config.js';
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

/** The counters one send took an SMS from, to give back if it is not sent. */
export interface TakenSend {
  loginId: string;
  keys: string[];
}

export type LimitVerdict = { ok: true; taken: TakenSend } | { ok: false; limit: LimitId; retryAfterMs?: number };

const MINUTE = 60_000;

export function cooldownKey(loginId: string): string {
  return `smsotp:cooldown:${loginId}`;
}

export function createSendLimits(state: StateStore, keyring: Keyring) {
  /** Adds one to a counter (noting it in `taken`); over `max` means refused. A limit of 0 is off. */
  const over = async (taken: string[], key: string, max: number, windowMs: number) => {
    if (max <= 0) return false;
    taken.push(key);
    return (await state.increment(key, windowMs)) > max;
  };
  const giveBack = async (keys: readonly string[]) => {
    for (const key of keys) await state.decrement(key);
  };
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
      const taken: string[] = [];
      const checks: [LimitId, () => Promise<boolean>][] = [
        ['per-login', () => over(taken, `smsotp:sends:${req.loginId}`, config.maxResends + 1, loginTtlMs)],
        ['per-ip', () => over(taken, keyOf('ip', req.ip), limits.perIp.max, limits.perIp.windowMinutes * MINUTE)],
        [
          'per-account',
          () =>
            over(
              taken,
              `smsotp:account:${req.userId}`,
              limits.perAccount.max,
              limits.perAccount.windowMinutes * MINUTE,
            ),
        ],
        [
          'per-number',
          () => over(taken, keyOf('number', req.to), limits.perNumber.max, limits.perNumber.windowMinutes * MINUTE),
        ],
        [
          'global',
          () => over(taken, `smsotp:global:${Math.floor(req.now / (60 * MINUTE))}`, limits.globalPerHour, 60 * MINUTE),
        ],
      ];
      for (const [limit, check] of checks) {
        if (await check()) {
          // a refused send costs nothing: every budget gets its SMS back, and the cooldown is not held
          await giveBack(taken);
          await state.resetCounter(cooldownKey(req.loginId));
          return { ok: false, limit };
        }
      }
      return { ok: true, taken: { loginId: req.loginId, keys: taken } };
    },
    /** A send the provider definitively did not make: every budget gets its SMS back and the cooldown is freed. */
    async refund(taken: TakenSend): Promise<void> {
      await giveBack(taken.keys);
      await state.resetCounter(cooldownKey(taken.loginId));
    },
  };
}

export type SendLimits = ReturnType<typeof createSendLimits>;

/** Which limit refused a send, its value and where an operator changes it: said in development mode only. */
export interface LimitHint {
  /** the option in the SMS OTP configuration (setup file, admin API) */
  setting: string;
  /** the field in the console */
  where: string;
  /** the limit as it stands, e.g. "5 SMS per 60 minutes" */
  value: string;
}

const options = SmsOtpConfigSchema.properties;
const titleOf = (schema: { title?: string }) => schema.title ?? '';
const limitOptions = options.limits.properties;

/** The setting, its title (the console's field label, from the same schema) and its value, per limit. */
function settingOf(config: SmsOtpConfig, limit: LimitId): { setting: string; title: string; value: string } {
  const perWindow = (l: { max: number; windowMinutes: number }) => `${l.max} SMS per ${l.windowMinutes} minutes`;
  switch (limit) {
    case 'per-number':
      return {
        setting: 'limits.perNumber',
        title: titleOf(limitOptions.perNumber),
        value: perWindow(config.limits.perNumber),
      };
    case 'per-account':
      return {
        setting: 'limits.perAccount',
        title: titleOf(limitOptions.perAccount),
        value: perWindow(config.limits.perAccount),
      };
    case 'per-ip':
      return { setting: 'limits.perIp', title: titleOf(limitOptions.perIp), value: perWindow(config.limits.perIp) };
    case 'global':
      return {
        setting: 'limits.globalPerHour',
        title: titleOf(limitOptions.globalPerHour),
        value: `${config.limits.globalPerHour} SMS per hour`,
      };
    case 'per-login':
      return { setting: 'maxResends', title: titleOf(options.maxResends), value: `${config.maxResends} resends` };
    case 'country':
      return {
        setting: 'limits.allowedCountries',
        title: titleOf(limitOptions.allowedCountries),
        value: config.limits.allowedCountries.join(', ') || 'all',
      };
    case 'number-type':
      return {
        setting: 'refuseNumberTypes',
        title: titleOf(options.refuseNumberTypes),
        value: config.refuseNumberTypes.join(', ') || 'none',
      };
    case 'blocked':
    case 'conversion':
    case 'spend-cap': {
      const key = limit === 'blocked' ? 'block' : limit === 'conversion' ? 'conversion' : 'spend';
      const { block, conversion: c, spend } = config.fraud;
      const value =
        key === 'block'
          ? block.join(', ')
          : key === 'conversion'
            ? `at least ${c.minVerifiedPercent}% verified of ${c.minSends} or more SMS per ${c.windowMinutes} minutes`
            : Object.entries(spend.dailyCaps)
                .map(([gateway, cap]) => `${gateway}: ${cap} a day`)
                .join(', ');
      return {
        setting: `fraud.${key}`,
        title: `${titleOf(options.fraud)} › ${titleOf(options.fraud.properties[key])}`,
        value,
      };
    }
    case 'cooldown':
      return {
        setting: 'resendCooldownSeconds',
        title: titleOf(options.resendCooldownSeconds),
        value: `${config.resendCooldownSeconds} seconds`,
      };
  }
}

export function limitHint(config: SmsOtpConfig, limit: LimitId, idpName: string): LimitHint {
  const { setting, title, value } = settingOf(config, limit);
  const section = setting.startsWith('limits.') ? `${titleOf(options.limits)} › ` : '';
  return {
    setting,
    where: `Identity Providers › ${idpName} › SMS OTP Configuration › ${section}${title}`,
    value,
  };
}
