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
import type { StateStore } from '../../state/state-store.js';
import type { Db } from '../../store/db.js';
import { createAttempts } from './attempts.js';
import { begin } from './begin.js';
import { defaultSmsOtpConfig, readConfig, type SmsOtpConfig, SmsOtpConfigSchema } from './config.js';
import { continueStep } from './continue.js';
import { createSendLimits } from './limits.js';
import { smsOtpMessages } from './messages.js';
import type { SmsOtpState } from './state.js';

export interface SmsOtpAuthenticatorDeps {
  config: { loginTransactionTtlSeconds: number; mode?: 'development' | 'production' };
  db: Db;
  keyring: Keyring;
  state: StateStore;
  backupCodes: BackupCodeStore;
  gateway: SmsGateway;
}

const NESTED = ['lockout', 'mask', 'limits'] as const;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An edit changes the options it names; the gateway is replaced as a whole, keeping each masked secret's stored value. */
function mergeConfig(
  incoming: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const base = readConfig(stored ?? {}) as unknown as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base, ...incoming };
  for (const key of NESTED) {
    if (isObject(incoming[key]) && isObject(base[key])) merged[key] = { ...base[key], ...incoming[key] };
  }
  if (isObject(incoming.gateway)) {
    const gateway = Value.Default(
      GatewayConfigSchema,
      Value.Convert(GatewayConfigSchema, structuredClone(incoming.gateway)),
    ) as GatewayConfig;
    // a misshapen gateway is left for the schema check to name; only a well-formed one is merged
    merged.gateway = Value.Check(GatewayConfigSchema, gateway)
      ? mergeSecrets(gateway, base.gateway as GatewayConfig)
      : gateway;
  }
  return merged;
}

function validateConfig(raw: Record<string, unknown>): { field: string; message: string }[] {
  const config = readConfig(raw);
  const problems = validateGatewayConfig(config.gateway)
    .filter((p) => p.severity === 'error')
    .map((p) => ({ field: `gateway.${p.field}`, message: p.message }));
  if (!config.messageTemplate.includes('{code}'))
    problems.push({ field: 'messageTemplate', message: 'the message template must contain {code}' });
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
  maskConfig: (config) => ({ ...config, gateway: maskGatewayConfigForDisplay(readConfig(config).gateway) }),
  mergeConfig,
  validateConfig,
  unresolvedSecrets: (config) =>
    unresolvedMasks(readConfig(config).gateway).map((p) => ({ field: `gateway.${p.field}`, message: p.message })),
  configWarnings: (config) =>
    validateGatewayConfig(readConfig(config).gateway)
      .filter((p) => p.severity === 'warning')
      .map((p) => ({ field: `gateway.${p.field}`, message: p.message })),
  messages: smsOtpMessages,
} satisfies AuthenticatorDescriptor;

export function createSmsOtpAuthenticator(deps: SmsOtpAuthenticatorDeps) {
  const wired = {
    db: deps.db,
    keyring: deps.keyring,
    gateway: deps.gateway,
    backupCodes: deps.backupCodes,
    limits: createSendLimits(deps.state, deps.keyring),
    attempts: createAttempts(deps.state),
    loginTtlMs: deps.config.loginTransactionTtlSeconds * 1000,
    development: deps.config.mode === 'development',
  };
  return {
    descriptor: smsOtpDescriptor,
    readConfig,
    begin: (ctx) => begin(wired, ctx),
    continue: (ctx, input) => continueStep(wired, ctx, input),
  } satisfies Authenticator<SmsOtpConfig, SmsOtpState>;
}
