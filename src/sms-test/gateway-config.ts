/** Where the SMS gateway configuration sits inside an identity provider's `sms-otp` entry (masking: sms/mask.ts). */
import { Value } from '@sinclair/typebox/value';
import type { FieldProblem } from '../identity/errors.js';
import { schemaProblems } from '../schema/problems.js';
import { type GatewayConfig, GatewayConfigSchema } from '../sms/index.js';

export const SMS_OTP = 'sms-otp';

/**
 * The gateway part of an sms-otp configuration: under `gateway` when the authenticator nests it there, otherwise
 * the gateway fields at the top level. Defaults are filled in; other fields (OTP policy...) are left out.
 */
export function gatewayConfigOf(
  config: Record<string, unknown>,
  field = 'config',
  /** which gateway of a `gateways` list (the test SMS picks one); ignored for the older single-gateway shape */
  index = 0,
): { ok: true; gateway: GatewayConfig } | { ok: false; problems: FieldProblem[] } {
  // a list of named gateways (authenticators/sms-otp/routing.ts): the chosen one, without its name and failover flag
  const gateways = Array.isArray(config.gateways) ? (config.gateways as Record<string, unknown>[]) : [];
  const list = gateways.length > 0;
  const nested = typeof config.gateway === 'object' && config.gateway !== null && !Array.isArray(config.gateway);
  const { name: _n, failoverOnTimeout: _f, ...chosen } = list ? (gateways[index] ?? {}) : {};
  const raw = structuredClone(list ? chosen : nested ? config.gateway : config) as Record<string, unknown>;
  const candidate = Value.Default(
    GatewayConfigSchema,
    Value.Clean(GatewayConfigSchema, Value.Convert(GatewayConfigSchema, raw)),
  );
  const problems = schemaProblems(GatewayConfigSchema, candidate, 'body');
  if (problems.length > 0) {
    const prefix = list ? `${field}.gateways[${index}]` : nested ? `${field}.gateway` : field;
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
