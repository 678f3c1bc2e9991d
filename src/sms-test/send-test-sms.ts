/**
 * "Send a test SMS" through an identity provider's saved gateway: `stepgate sms send` and the admin API (the
 * console's "Send test SMS" button) call this one function, so an operator sees the same request and outcome.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { ConflictError, ValidationError } from '../identity/errors.js';
import type { IdentityProvider } from '../identity/identity-providers.js';
import type { RenderedRequest, SmsGateway } from '../sms/index.js';
import { gatewayConfigOf, SMS_OTP } from './gateway-config.js';

export const DEFAULT_TEST_TEXT = 'Stepgate test message. Verification Code: 123456';

export interface TestSmsOutcome {
  ok: boolean;
  /** the rendered request with secrets and the number masked; null when the configuration cannot render one */
  request: RenderedRequest | null;
  outcome: {
    code?: string;
    reason?: string;
    status?: number;
    messageId?: string;
    latencyMs: number;
    providerAnswer?: string;
  };
}

/** E.164 for a number typed in international format, or a validation error naming `field`. */
export function phoneNumber(value: string, field: string): string {
  const parsed = parsePhoneNumberFromString(value.trim());
  if (!parsed?.isValid())
    throw new ValidationError([
      { field, message: 'must be a phone number in international format, e.g. +94771234567' },
    ]);
  return parsed.number;
}

export async function sendTestSms(
  gateway: SmsGateway,
  idp: IdentityProvider,
  to: string,
  text?: string,
): Promise<TestSmsOutcome> {
  const entry = idp.authenticators.find((a) => a.type === SMS_OTP);
  if (!entry) throw new ConflictError(`identity provider ${idp.name} has no SMS OTP configuration`);
  const found = gatewayConfigOf(entry.config, `authenticators[${idp.authenticators.indexOf(entry)}].config`);
  if (!found.ok) throw new ValidationError(found.problems);
  const number = phoneNumber(to, 'to');
  const result = await gateway.send(found.gateway, { to: number, text: text ?? DEFAULT_TEST_TEXT, otp: '123456' });
  const optional = {
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(result.providerAnswer !== undefined ? { providerAnswer: result.providerAnswer } : {}),
  };
  const outcome = result.ok
    ? { latencyMs: result.latencyMs, ...optional, ...(result.messageId ? { messageId: result.messageId } : {}) }
    : { code: result.code, reason: result.reason, latencyMs: result.latencyMs, ...optional };
  return { ok: result.ok, request: result.request ?? null, outcome };
}
