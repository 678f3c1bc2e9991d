/**
 * The `sms-otp` federated authenticator ("SMS OTP"), configured inside the `smsOTP` identity provider: its
 * descriptor (data the console and the identity-provider store read) and its wiring to begin / continue.
 */
import { Value } from '@sinclair/typebox/value';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { Authenticator, AuthenticatorDescriptor } from '../../authn/authenticator.js';
import type { Keyring } from '../../crypto/keyring.js';
import type { BackupCodeStore } from '../../identity/backup-codes.js';
import { patternProblem } from '../../identity/safe-regex.js';
import {
  type GatewayConfig,
  GatewayConfigSchema,
  maskGatewayConfigForDisplay,
  mergeSecrets,
  type SmsGateway,
  unresolvedMasks,
  validateGatewayConfig,
} from '../../sms/index.js';
import type { SmsMessageLog } from '../../sms/receipts/index.js';
import type { StateStore } from '../../state/state-store.js';
import type { Db } from '../../store/db.js';
import { createAttempts } from './attempts.js';
import { begin } from './begin.js';
import { createBreaker } from './breaker.js';
import { defaultSmsOtpConfig, readConfig, type SmsOtpConfig, SmsOtpConfigSchema } from './config.js';
import { continueStep } from './continue.js';
import { redisplayDelivery } from './delivery-log.js';
import { hasSmsOtp } from './enrolled.js';
import { createFraudDefence, fraudProblems, type SendChallenge } from './fraud/index.js';
import { createSendLimits } from './limits.js';
import { smsOtpMessages, smsOtpTranslations } from './messages.js';
import { gatewaysOf } from './routing.js';
import type { SmsOtpState } from './state.js';

export interface SmsOtpAuthenticatorDeps {
  config: { loginTransactionTtlSeconds: number; mode?: 'development' | 'production' };
  db: Db;
  keyring: Keyring;
  state: StateStore;
  backupCodes: BackupCodeStore;
  gateway: SmsGateway;
  /** another send challenge than the built-in proof of work (fraud/challenge.ts) */
  sendChallenge?: SendChallenge;
  /** the message log (sms/receipts): receipt callbacks, each code sent, delivery on the code page */
  messages?: SmsMessageLog;
}

const NESTED = ['lockout', 'mask', 'limits', 'fraud'] as const;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A gateway with defaults filled in, merged with the stored one's secrets; a misshapen one is left for the schema check. */
function mergeGateway(incoming: Record<string, unknown>, stored: GatewayConfig | undefined): unknown {
  const gateway = Value.Default(GatewayConfigSchema, Value.Convert(GatewayConfigSchema, structuredClone(incoming)));
  return Value.Check(GatewayConfigSchema, gateway) ? mergeSecrets(gateway as GatewayConfig, stored) : gateway;
}

/** A named gateway of the list: its name and failover flag around a merged gateway. */
function mergeNamed(incoming: Record<string, unknown>, stored: GatewayConfig | undefined): unknown {
  const { name, failoverOnTimeout, ...rest } = incoming;
  const merged = mergeGateway(rest, stored) as object;
  return { name, ...merged, ...(failoverOnTimeout !== undefined ? { failoverOnTimeout } : {}) };
}

/**
 * An edit changes the options it names; a gateway is replaced as a whole, keeping each masked secret's stored value
 * only while its destination is unchanged (sms/secrets.ts). Named gateways merge with the stored gateway of the same
 * name; the single gateway of the older shape goes by `default`, so a list that takes it over keeps its secrets.
 */
function mergeConfig(
  incoming: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const base = readConfig(stored ?? {}) as unknown as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base, ...incoming };
  for (const key of NESTED) {
    if (isObject(incoming[key]) && isObject(base[key])) merged[key] = { ...base[key], ...incoming[key] };
  }
  if (isObject(incoming.gateway)) merged.gateway = mergeGateway(incoming.gateway, base.gateway as GatewayConfig);
  if (Array.isArray(incoming.gateways)) {
    const storedByName = new Map(gatewaysOf(readConfig(stored ?? {})).map((g) => [g.name, g.config]));
    merged.gateways = incoming.gateways.map((g) =>
      isObject(g) && typeof g.name === 'string' ? mergeNamed(g, storedByName.get(g.name)) : g,
    );
  }
  return merged;
}

/** Each gateway with the field path it is saved under: `gateway` for the single one, `gateways[i]` in a list. */
function gatewaysAt(config: SmsOtpConfig): { at: string; gateway: GatewayConfig }[] {
  if (config.gateways.length === 0) return [{ at: 'gateway', gateway: config.gateway }];
  return gatewaysOf(config).map((g, i) => ({ at: `gateways[${i}]`, gateway: g.config }));
}

function routeProblems(config: SmsOtpConfig): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const names = gatewaysOf(config).map((g) => g.name);
  for (const [i, name] of names.entries()) {
    if (names.indexOf(name) !== i) problems.push({ field: `gateways[${i}].name`, message: `"${name}" is used twice` });
  }
  for (const [i, route] of config.routes.entries()) {
    for (const [j, name] of route.gateways.entries()) {
      if (!names.includes(name))
        problems.push({ field: `routes[${i}].gateways[${j}]`, message: `no gateway is named "${name}"` });
    }
    const { prefixes = [], countries = [] } = route.match;
    if (prefixes.length === 0 && countries.length === 0)
      problems.push({ field: `routes[${i}].match`, message: 'a route needs prefixes or countries' });
    for (const [j, c] of countries.entries()) {
      if (!isSupportedCountry(c))
        problems.push({ field: `routes[${i}].match.countries[${j}]`, message: `"${c}" is not a country code` });
    }
  }
  for (const c of Object.keys(config.refuseNumberTypesByCountry)) {
    if (!isSupportedCountry(c))
      problems.push({ field: `refuseNumberTypesByCountry.${c}`, message: `"${c}" is not a country code` });
  }
  return problems;
}

function validateConfig(raw: Record<string, unknown>): { field: string; message: string }[] {
  const config = readConfig(raw);
  const problems = gatewaysAt(config).flatMap(({ at, gateway }) =>
    validateGatewayConfig(gateway)
      .filter((p) => p.severity === 'error')
      .map((p) => ({ field: `${at}.${p.field}`, message: p.message })),
  );
  problems.push(...routeProblems(config));
  problems.push(
    ...fraudProblems(
      config.fraud,
      gatewaysOf(config).map((g) => g.name),
    ),
  );
  if (!config.messageTemplate.includes('{code}'))
    problems.push({ field: 'messageTemplate', message: 'the message template must contain {code}' });
  for (const [locale, t] of Object.entries(config.templates))
    if (t && t.trim() !== '' && !t.includes('{code}'))
      problems.push({ field: `templates.${locale}`, message: 'the message template must contain {code}' });
  const mobileRegexProblem = config.mobileRegex !== '' ? patternProblem(config.mobileRegex) : undefined;
  if (mobileRegexProblem) problems.push({ field: 'mobileRegex', message: mobileRegexProblem });
  if (config.defaultCountry !== '' && !isSupportedCountry(config.defaultCountry))
    problems.push({ field: 'defaultCountry', message: `"${config.defaultCountry}" is not a country code` });
  for (const [i, c] of config.limits.allowedCountries.entries()) {
    if (!isSupportedCountry(c))
      problems.push({ field: `limits.allowedCountries[${i}]`, message: `"${c}" is not a country code` });
  }
  return problems;
}

/** The configuration as an admin sees it: every gateway's secrets masked (the single one and each named one). */
function maskConfig(config: Record<string, unknown>): Record<string, unknown> {
  const read = readConfig(config);
  const masked: Record<string, unknown> = { ...config, gateway: maskGatewayConfigForDisplay(read.gateway) };
  if (Array.isArray(config.gateways))
    masked.gateways = read.gateways.map(({ name, failoverOnTimeout, ...g }) => ({
      name,
      ...maskGatewayConfigForDisplay(g),
      failoverOnTimeout,
    }));
  return masked;
}

export const smsOtpDescriptor = {
  id: 'sms-otp',
  displayName: 'SMS OTP',
  kind: 'federated',
  amr: ['sms'],
  // no SMS is ever sent before an earlier step identified the user: a sequence with SMS OTP first is misconfigured
  requiresUser: true,
  counter: 'otp',
  configSchema: SmsOtpConfigSchema,
  defaultConfig: defaultSmsOtpConfig as unknown as Record<string, unknown>,
  maskConfig,
  mergeConfig,
  validateConfig,
  unresolvedSecrets: (config) =>
    gatewaysAt(readConfig(config)).flatMap(({ at, gateway }) =>
      unresolvedMasks(gateway).map((p) => ({ field: `${at}.${p.field}`, message: p.message })),
    ),
  configWarnings: (config) =>
    gatewaysAt(readConfig(config)).flatMap(({ at, gateway }) =>
      validateGatewayConfig(gateway)
        .filter((p) => p.severity === 'warning')
        .map((p) => ({ field: `${at}.${p.field}`, message: p.message })),
    ),
  messages: smsOtpMessages,
  translations: smsOtpTranslations,
} satisfies AuthenticatorDescriptor;

export function createSmsOtpAuthenticator(deps: SmsOtpAuthenticatorDeps) {
  const wired = {
    db: deps.db,
    keyring: deps.keyring,
    gateway: deps.gateway,
    backupCodes: deps.backupCodes,
    limits: createSendLimits(deps.state, deps.keyring),
    breaker: createBreaker(deps.state),
    fraud: createFraudDefence(deps.state, deps.keyring, deps.sendChallenge),
    attempts: createAttempts(deps.state),
    loginTtlMs: deps.config.loginTransactionTtlSeconds * 1000,
    development: deps.config.mode === 'development',
    ...(deps.messages ? { messages: deps.messages } : {}),
  };
  return {
    descriptor: smsOtpDescriptor,
    readConfig,
    begin: (ctx) => begin(wired, ctx),
    continue: (ctx, input) => continueStep(wired, ctx, input),
    redisplay: (ctx) => redisplayDelivery(deps.messages, ctx),
    enrolled: (ctx) => hasSmsOtp(deps.db, ctx),
  } satisfies Authenticator<SmsOtpConfig, SmsOtpState>;
}
