/** The SMS gateways of an identity provider with their circuit breakers, as every node sees them (read-only). */
import { Type } from '@sinclair/typebox';
import { gatewayStatuses } from '../../../authenticators/sms-otp/gateway-status.js';
import { found, NotFoundError } from '../../../identity/errors.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { type ApiRoute, route } from '../route.js';
import { IdParams } from '../schemas.js';

const BreakerState = Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')], {
  description: 'closed: in use; open: skipped until openUntil; half-open: the next send is a trial',
});

const GatewaysStatus = Type.Object(
  {
    breaker: Type.Object({
      failures: Type.Integer({ description: 'failures within the window that open the breaker; 0: off' }),
      windowSeconds: Type.Integer(),
      coolDownSeconds: Type.Integer(),
    }),
    gateways: Type.Array(
      Type.Object({
        name: Type.String(),
        provider: Type.String({ description: 'preset id, or custom' }),
        failoverOnTimeout: Type.Boolean(),
        state: BreakerState,
        failures: Type.Integer({ description: 'failures counted in the current window' }),
        openUntil: Type.Union([Type.Integer(), Type.Null()], { description: 'epoch milliseconds' }),
        spend: Type.Union(
          [
            Type.Object({
              spent: Type.Number({ description: "today's spend, in the price table's unit" }),
              cap: Type.Number({ description: 'fraud.spend.dailyCaps of this gateway' }),
              day: Type.String({ description: 'the UTC day counted, YYYY-MM-DD' }),
            }),
            Type.Null(),
          ],
          { description: 'null: the gateway has no daily spend cap (its spend is not counted)' },
        ),
      }),
    ),
  },
  {
    description: "The gateways in failover order with their breaker states and today's spend against their daily caps.",
  },
);

export function smsGatewayRoutes({ identityProviders, state }: Services): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/identity-providers/:id/gateways/status',
      operationId: 'getSmsGatewaysStatus',
      summary: "The SMS OTP configuration's gateways and their circuit breakers, shared by every node",
      tag: 'Identity providers',
      errors: [404],
      schema: { params: IdParams, response: GatewaysStatus },
      async handler({ params }) {
        const idp = found(await identityProviders.get(params.id), 'identity provider', params.id);
        const statuses = await gatewayStatuses(state, idp);
        if (!statuses) throw new NotFoundError('SMS OTP configuration of identity provider', idp.name);
        return statuses;
      },
    }),
  ];
}
