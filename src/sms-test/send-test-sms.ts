/**
 * "Send a test SMS" through an identity provider's gateway: the CLI (`stepgate sms send`) and the admin API call
 * this one function, so the operator sees the same masked request and outcome everywhere.
 */
import { NotFoundError, ValidationError } from '../identity/errors.js';
import type { IdentityProvider } from '../identity/identity-providers.js';
import { createSmsGateway, type GatewayConfig, gatewayConfig, isProblem, type RenderedRequest } from '../sms/index.js';
import type { Truststore } from '../identity/truststore.js';

export interface TestSmsResult {
  ok: boolean;
  request?: RenderedRequest;
  code?: string;
  reason?: string;
  status?: number;
  messageId?: string;
  latencyMs: number;
  providerAnswer?: string;
}

/** The gateway part of an sms-otp authenticator configuration. */
export function gatewayOf(config: Record<string, unknown>): GatewayConfig {
  const nested = config.gateway;
  return gatewayConfig((nested && typeof nested === 'object' ? nested : config) as Partial<GatewayConfig>);
}

export async function sendTestSmsThrough(idp: IdentityProvider, truststore: Truststore, to: string, text?: string): Promise<TestSmsResult> {
  const entry = idp.authenticators.find((a) => a.type === 'sms-otp');
  if (!entry) throw new ValidationError([{ field: 'idp', message: `${idp.name} has no SMS OTP configuration` }]);
  const number = to.trim();
  if (!/^\+?[1-9]\d{5,14}$/.test(number.replace(/[\s()-]/g, ''))) throw new ValidationError([{ field: 'to', message: 'must be a phone number in international format, e.g. +94771234567' }]);
  const e164 = `+${number.replace(/[^\d]/g, '')}`;
  const message = text ?? 'Verification Code: 123456 (a test message from Stepgate)';
  const gateway = createSmsGateway({ trustedCertificates: () => truststore.pems() });
  try {
    const config = gatewayOf(entry.config);
    const masked = gateway.renderMasked(config, { to: e164, text: message, otp: '123456' });
    const result = await gateway.send(config, { to: e164, text: message, otp: '123456' });
    const request = isProblem(masked) ? undefined : masked;
    if (result.ok) return { ok: true, ...(request ? { request } : {}), status: result.status, latencyMs: result.latencyMs, ...(result.messageId ? { messageId: result.messageId } : {}), ...(result.providerAnswer ? { providerAnswer: result.providerAnswer } : {}) };
    return {
      ok: false,
      ...(request ? { request } : {}),
      code: result.code,
      reason: result.reason,
      ...(result.status !== undefined ? { status: result.status } : {}),
      latencyMs: result.latencyMs,
      ...(result.providerAnswer ? { providerAnswer: result.providerAnswer } : {}),
    };
  } finally {
    await gateway.close();
  }
}

export async function sendTestSms(s: { identityProviders: { getByName(n: string): Promise<IdentityProvider | undefined> }; truststore: Truststore }, idpName: string, to: string, text?: string): Promise<TestSmsResult> {
  const idp = await s.identityProviders.getByName(idpName);
  if (!idp) throw new NotFoundError('identity provider', idpName);
  return sendTestSmsThrough(idp, s.truststore, to, text);
}
