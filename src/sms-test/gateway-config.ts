/**
 * Where the SMS gateway configuration sits inside an identity provider's `sms-otp` entry, and masking that does not
 * depend on the authenticator: the admin API never returns a secret, even for an authenticator that forgot to mask.
 */
import { Value } from '@sinclair/typebox/value';
import type { FieldProblem } from '../identity/errors.js';
import { schemaProblems } from '../schema/problems.js';
import { DISPLAY_MASK, type GatewayConfig, GatewayConfigSchema, SENSITIVE_NAME } from '../sms/index.js';

export const SMS_OTP = 'sms-otp';

/**
 * The gateway part of an sms-otp configuration: under `gateway` when the authenticator nests it there, otherwise
 * the gateway fields at the top level. Defaults are filled in; other fields (OTP policy...) are left out.
 */
export function gatewayConfigOf(
  config: Record<string, unknown>,
  field = 'config',
): { ok: true; gateway: GatewayConfig } | { ok: false; problems: FieldProblem[] } {
  const nested = typeof config.gateway === 'object' && config.gateway !== null && !Array.isArray(config.gateway);
  const raw = structuredClone(nested ? config.gateway : config) as Record<string, unknown>;
  const candidate = Value.Default(
    GatewayConfigSchema,
    Value.Clean(GatewayConfigSchema, Value.Convert(GatewayConfigSchema, raw)),
  );
  const problems = schemaProblems(GatewayConfigSchema, candidate, 'body');
  if (problems.length > 0) {
    const prefix = nested ? `${field}.gateway` : field;
    return {
      ok: false,
      problems: problems.map((p) => ({
        field: p.field === 'body' ? prefix : `${prefix}.${p.field}`,
        message: p.message,
      })),
    };
  }
  return { ok: true, gateway: candidate as GatewayConfig };
}

/** Every string under a secret-looking key becomes ********, at any depth. */
export function maskSecretsByName(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return SENSITIVE_NAME.test(key) && value !== '' ? DISPLAY_MASK : value;
  if (Array.isArray(value)) return value.map((v) => maskSecretsByName(v, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecretsByName(v, k)]));
  }
  return value;
}

/** An incoming ******** (at any path) stands for the stored value at the same path. */
export function restoreMasked(incoming: unknown, stored: unknown): unknown {
  if (incoming === DISPLAY_MASK) return typeof stored === 'string' ? stored : incoming;
  if (Array.isArray(incoming))
    return incoming.map((v, i) => restoreMasked(v, Array.isArray(stored) ? stored[i] : undefined));
  if (incoming !== null && typeof incoming === 'object') {
    const old =
      stored !== null && typeof stored === 'object' && !Array.isArray(stored)
        ? (stored as Record<string, unknown>)
        : {};
    return Object.fromEntries(Object.entries(incoming).map(([k, v]) => [k, restoreMasked(v, old[k])]));
  }
  return incoming;
}
