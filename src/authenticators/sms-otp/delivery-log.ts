/**
 * What the SMS OTP step does with the message log (sms/receipts): each send carries its gateway's receipt callback,
 * a resend tries first the gateways whose message to this login did not arrive ("try another way" through the next
 * gateway), each accepted code is recorded, and a verified code counts as a conversion. Without a log (unit tests),
 * each of these is a no-op.
 */
import type { PromptOutcome } from '../../authn/authenticator.js';
import type { IdentityProviderStore } from '../../identity/identity-providers.js';
import type { GatewayConfig, SendSuccess } from '../../sms/index.js';
import { notDelivered, type SmsMessageLog } from '../../sms/receipts/index.js';
import { readConfig } from './config.js';
import { gatewaysOf, type RoutedGateway } from './routing.js';
import type { SmsOtpContext } from './state.js';

/** The deliver() hook that adds the receipt callback to each gateway's send. */
export function receiptCallbacks(
  messages: SmsMessageLog | undefined,
  idpId: string,
): { prepare?: (gateway: RoutedGateway) => GatewayConfig } {
  if (!messages) return {};
  return { prepare: (g) => messages.forSend(g.config, idpId, g.name) };
}

/** The route's gateways with those that failed to deliver to this login moved to the end, in their order. */
export async function avoidUndelivered(
  messages: SmsMessageLog | undefined,
  loginId: string,
  gateways: RoutedGateway[],
): Promise<RoutedGateway[]> {
  if (!messages) return gateways;
  const failed = new Set(await messages.undeliveredGatewaysOfLogin(loginId));
  if (failed.size === 0) return gateways;
  return [...gateways.filter((g) => !failed.has(g.name)), ...gateways.filter((g) => failed.has(g.name))];
}

export async function recordCode(
  messages: SmsMessageLog | undefined,
  ctx: SmsOtpContext,
  gateway: RoutedGateway,
  result: SendSuccess,
  to: { e164: string; country: string | undefined; masked: string },
  text: string,
): Promise<void> {
  await messages?.recordSent({
    idpId: ctx.idp?.id ?? 'smsOTP',
    gateway: gateway.name,
    provider: gateway.config.preset?.provider ?? 'custom',
    providerMessageId: result.messageId,
    purpose: 'otp',
    to: to.e164,
    masked: to.masked,
    country: to.country,
    text,
    loginId: ctx.loginId,
  });
}

/**
 * The code page again after a reload, with what it shows but never stores: whether the provider reported that the
 * login's newest code could not be delivered (the page then offers another way). Undefined: nothing to add.
 */
export async function redisplayDelivery(
  messages: SmsMessageLog | undefined,
  ctx: SmsOtpContext,
): Promise<PromptOutcome | undefined> {
  if (!messages || ctx.state?.phase !== 'code') return undefined;
  const latest = await messages.latestForLogin(ctx.loginId);
  if (!latest || !notDelivered(latest.status)) return undefined;
  return { kind: 'prompt', page: 'sms-otp/code', data: { deliveryFailed: true } };
}

/**
 * The stored configuration of one named gateway of an identity provider's SMS OTP authenticator (the single gateway
 * of the older shape goes by `default`), for the receipt endpoint to check a signature with.
 */
export async function findSmsGateway(
  identityProviders: Pick<IdentityProviderStore, 'get'>,
  idpId: string,
  name: string,
): Promise<GatewayConfig | undefined> {
  const idp = await identityProviders.get(idpId).catch(() => undefined);
  const entry = idp?.authenticators.find((a) => a.type === 'sms-otp');
  if (!entry) return undefined;
  return gatewaysOf(readConfig(entry.config)).find((g) => g.name === name)?.config;
}
