/**
 * "Send a test SMS" through an identity provider's saved gateway: `stepgate sms send` and the admin API (the
 * console's "Send test SMS" button) call this one function, so an operator sees the same request and outcome.
 *
 * Which gateway: the one named, else the first gateway of the route the number would take at a login
 * (authenticators/sms-otp/routing.ts). Exactly that gateway is asked, once: no failover, and the circuit breaker
 * is neither asked nor told. A test is an operator checking one gateway, often the one whose breaker is open; it
 * must reach that gateway, must not use up the half-open trial a login would make, and a test to a wrong number
 * must not make logins skip a working gateway. Nor does it take from the gateway's daily spend cap: the admin API
 * rate-limits it and every test is audited. (docs/sms-otp.md › Send test SMS)
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { readConfig } from '../authenticators/sms-otp/config.js';
import { gatewaysOf, type RoutedGateway, routeFor } from '../authenticators/sms-otp/routing.js';
import { ConflictError, ValidationError } from '../identity/errors.js';
import type { IdentityProvider } from '../identity/identity-providers.js';
import type { RenderedRequest, SmsGateway } from '../sms/index.js';
import { gatewayConfigOf, SMS_OTP } from './gateway-config.js';

export const DEFAULT_TEST_TEXT = 'Stepgate test message. Verification Code: 123456';

export interface TestSmsOutcome {
  ok: boolean;
  /** the name of the gateway that was asked (`default` for the older single-gateway shape) */
  gateway: string;
  /** the index of the route the number matches, or null when no route matches (every gateway, in order) */
  route: number | null;
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

export interface TestSmsInput {
  to: string;
  text?: string | undefined;
  /** a gateway's name; absent: the route's first gateway */
  gateway?: string | undefined;
}

/** E.164 and country for a number typed in international format, or a validation error naming `field`. */
function destination(value: string, field: string): { e164: string; country: string | undefined } {
  const parsed = parsePhoneNumberFromString(value.trim());
  if (!parsed?.isValid())
    throw new ValidationError([
      { field, message: 'must be a phone number in international format, e.g. +94771234567' },
    ]);
  return { e164: parsed.number, country: parsed.country };
}

/** E.164 for a number typed in international format, or a validation error naming `field`. */
export function phoneNumber(value: string, field: string): string {
  return destination(value, field).e164;
}

/** The gateway a test uses: the named one (a 400 naming the configured ones when unknown), else the route's first. */
export function chooseGateway(
  raw: Record<string, unknown>,
  to: { e164: string; country: string | undefined },
  name: string | undefined,
): { chosen: RoutedGateway; index: number; route: number | null } {
  const config = readConfig(raw);
  const all = gatewaysOf(config);
  const { route, gateways } = routeFor(config, to);
  const chosen = name === undefined ? (gateways[0] ?? all[0]!) : all.find((g) => g.name === name);
  if (!chosen)
    throw new ValidationError([
      {
        field: 'gateway',
        message: `no gateway is named "${name}"; the configured gateways are ${all.map((g) => g.name).join(', ')}`,
      },
    ]);
  // by name: routeFor builds its own copies of the gateways
  return { chosen, index: all.findIndex((g) => g.name === chosen.name), route };
}

export async function sendTestSms(
  gateway: SmsGateway,
  idp: IdentityProvider,
  input: TestSmsInput,
): Promise<TestSmsOutcome> {
  const entry = idp.authenticators.find((a) => a.type === SMS_OTP);
  if (!entry) throw new ConflictError(`identity provider ${idp.name} has no SMS OTP configuration`);
  const to = destination(input.to, 'to');
  const { chosen, index, route } = chooseGateway(entry.config, to, input.gateway);
  // the saved entry checked again, so a configuration the schema refuses answers with its field, not a send
  const found = gatewayConfigOf(entry.config, `authenticators[${idp.authenticators.indexOf(entry)}].config`, index);
  if (!found.ok) throw new ValidationError(found.problems);
  const result = await gateway.send(found.gateway, {
    to: to.e164,
    text: input.text ?? DEFAULT_TEST_TEXT,
    otp: '123456',
  });
  const optional = {
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(result.providerAnswer !== undefined ? { providerAnswer: result.providerAnswer } : {}),
  };
  const outcome = result.ok
    ? { latencyMs: result.latencyMs, ...optional, ...(result.messageId ? { messageId: result.messageId } : {}) }
    : { code: result.code, reason: result.reason, latencyMs: result.latencyMs, ...optional };
  return { ok: result.ok, gateway: chosen.name, route, request: result.request ?? null, outcome };
}
