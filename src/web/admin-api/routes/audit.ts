/** The audit log, newest first, filterable by event, username and time; and who the caller is. */
import { Type } from '@sinclair/typebox';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { Instant, instant } from '../instant.js';
import { type ApiRoute, route } from '../route.js';
import { AuditEvent, Me, Page, PageQuery } from '../schemas.js';

export function auditRoutes({ audit }: Services): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/audit-events',
      operationId: 'listAuditEvents',
      summary: 'Audit events, newest first',
      tag: 'Audit',
      schema: {
        querystring: Type.Object({
          ...PageQuery,
          event: Type.Optional(
            Type.String({ maxLength: 128, description: "Exact event name, e.g. 'login.succeeded'." }),
          ),
          username: Type.Optional(
            Type.String({ maxLength: 255, description: 'The user who acted (for admin events: the administrator).' }),
          ),
          from: Instant('Earliest time'),
          to: Instant('Latest time'),
        }),
        response: Page(AuditEvent),
      },
      async handler({ query }) {
        const from = instant(query.from, 'from');
        const to = instant(query.to, 'to');
        const { total, events } = await audit.query({
          offset: query.offset,
          limit: query.limit,
          ...(query.event ? { event: query.event } : {}),
          ...(query.username ? { username: query.username } : {}),
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
        });
        return { items: events, total, offset: query.offset, limit: query.limit };
      },
    }),
    route({
      method: 'GET',
      url: '/me',
      operationId: 'getMe',
      summary: 'Who the token belongs to',
      tag: 'Session',
      schema: { response: Me },
      async handler({ actor }) {
        if (actor.kind === 'client') return { kind: 'client', clientId: actor.clientId, scopes: actor.scopes };
        return {
          kind: 'user',
          clientId: actor.clientId,
          scopes: actor.scopes,
          user: { id: actor.userId, username: actor.username, roles: actor.roles },
        };
      },
    }),
  ];
}
