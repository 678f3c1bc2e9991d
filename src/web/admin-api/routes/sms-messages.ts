/**
 * Console › Messages: every SMS sent (codes and notices) with its delivery status, filterable; one message with its
 * status timeline; and per gateway, over a period, how many were delivered and how many sent codes were entered,
 * with the gateway's receipt URL for the providers whose callback is an account setting (docs/delivery-receipts.md).
 */
import { Type } from '@sinclair/typebox';
import { readConfig } from '../../../authenticators/sms-otp/config.js';
import { gatewaysOf } from '../../../authenticators/sms-otp/routing.js';
import { NotFoundError } from '../../../identity/errors.js';
import type { IdentityProvider } from '../../../identity/identity-providers.js';
import type { GatewayRates, SmsMessage } from '../../../sms/receipts/index.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { Instant, instant } from '../instant.js';
import { type ApiRoute, route } from '../route.js';
import { IdParams, Page, PageQuery } from '../schemas.js';
import { GatewayRate, Message, type SmsMessageJson, Status, TimelineEntry } from './sms-messages-schemas.js';

const DAY_MS = 86_400_000;

function view(m: SmsMessage): SmsMessageJson {
  const { loginId: _login, verifiedAt, ...rest } = m;
  return { ...rest, verified: verifiedAt !== null };
}

/** The gateways of an identity provider's SMS OTP authenticator, by name and provider. */
function configuredGateways(idp: IdentityProvider): { name: string; provider: string }[] {
  const entry = idp.authenticators.find((a) => a.type === 'sms-otp');
  if (!entry) return [];
  return gatewaysOf(readConfig(entry.config)).map((g) => ({
    name: g.name,
    provider: g.config.preset?.provider ?? 'custom',
  }));
}

function emptyRates(idpId: string, gateway: string, provider: string): GatewayRates {
  return { idpId, gateway, provider, sent: 0, delivered: 0, failed: 0, expired: 0, unknown: 0, codes: 0, verified: 0 };
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

export function smsMessageRoutes({ smsMessages, identityProviders }: Services): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/sms-messages',
      operationId: 'listSmsMessages',
      summary: 'SMS sent, newest first, with their delivery status',
      tag: 'Messages',
      schema: {
        querystring: Type.Object({
          ...PageQuery,
          status: Type.Optional(Status),
          idp: Type.Optional(Type.String({ maxLength: 64, description: 'Identity provider id.' })),
          gateway: Type.Optional(Type.String({ maxLength: 64, description: 'Gateway name.' })),
          since: Instant('Sent at or after'),
          destination: Type.Optional(
            Type.String({ pattern: '^[0-9]{1,4}$', description: 'The last digits of the number (up to four).' }),
          ),
        }),
        response: Page(Message),
      },
      async handler({ query }) {
        const { total, items } = await smsMessages.list({
          offset: query.offset,
          limit: query.limit,
          status: query.status,
          idpId: query.idp,
          gateway: query.gateway,
          since: instant(query.since, 'since'),
          destinationSuffix: query.destination,
        });
        return { items: items.map(view), total, offset: query.offset, limit: query.limit };
      },
    }),
    route({
      method: 'GET',
      url: '/sms-messages/rates',
      operationId: 'getSmsGatewayRates',
      summary: 'Delivery and conversion rates per configured gateway, with its receipt URL',
      tag: 'Messages',
      schema: {
        querystring: Type.Object({
          since: Instant('From this time (default: 7 days ago)'),
        }),
        response: Type.Object({ since: Type.Integer(), gateways: Type.Array(GatewayRate) }),
      },
      async handler({ query }) {
        const since = instant(query.since, 'since') ?? Date.now() - 7 * DAY_MS;
        const idps = await identityProviders.list();
        const names = new Map(idps.map((i) => [i.id, i.name]));
        const rates = await smsMessages.rates(since);
        // every configured gateway is listed, also one that sent nothing yet: its receipt URL is needed before that
        const listed = new Set(rates.map((r) => `${r.idpId}/${r.gateway}`));
        for (const idp of idps)
          for (const g of configuredGateways(idp))
            if (!listed.has(`${idp.id}/${g.name}`)) rates.push(emptyRates(idp.id, g.name, g.provider));
        return {
          since,
          gateways: rates.map((r) => ({
            ...r,
            idpName: names.get(r.idpId) ?? null,
            deliveryRate: ratio(r.delivered, r.sent),
            conversionRate: ratio(r.verified, r.codes),
            receiptUrl: smsMessages.receiptUrl(r.idpId, r.gateway),
          })),
        };
      },
    }),
    route({
      method: 'GET',
      url: '/sms-messages/:id',
      operationId: 'getSmsMessage',
      summary: 'One SMS with its status timeline',
      tag: 'Messages',
      schema: {
        params: IdParams,
        response: Type.Object({ ...Message.properties, timeline: Type.Array(TimelineEntry) }),
      },
      errors: [404],
      async handler({ params }) {
        const found = await smsMessages.get(params.id);
        if (!found) throw new NotFoundError('SMS message', params.id);
        const { timeline, ...message } = found;
        return { ...view(message), timeline };
      },
    }),
  ];
}
