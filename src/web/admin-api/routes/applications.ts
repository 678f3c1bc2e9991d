/** Applications (WSO2: service providers): OIDC settings, claim configuration and the authentication sequence. */
import { Type } from '@sinclair/typebox';
import type { ApplicationInput } from '../../../identity/applications.js';
import { found } from '../../../identity/errors.js';
import type { Services } from '../../../services.js';
import { isAdminApplication, requireTwoFactorSignIn } from '../auth.js';
import { type ApiRoute, route, searchPage } from '../route.js';
import {
  Application,
  ApplicationCreate,
  ApplicationCreated,
  ApplicationUpdate,
  ClientSecret,
  IdParams,
  Page,
  PageQuery,
} from '../schemas.js';

const tag = 'Applications';

export function applicationRoutes({ applications }: Services): ApiRoute[] {
  const load = async (id: string) => found(await applications.get(id), 'application', id);
  return [
    route({
      method: 'GET',
      url: '/applications',
      operationId: 'listApplications',
      summary: 'List applications (search: name or client id substring)',
      tag,
      schema: {
        querystring: Type.Object({ ...PageQuery, search: Type.Optional(Type.String({ maxLength: 255 })) }),
        response: Page(Application),
      },
      async handler({ query }) {
        return searchPage(await applications.list(), [(a) => a.name, (a) => a.clientId], query);
      },
    }),
    route({
      method: 'POST',
      url: '/applications',
      operationId: 'createApplication',
      summary: 'Create an application; a confidential client gets its secret in this answer only',
      tag,
      status: 201,
      errors: [409],
      schema: { body: ApplicationCreate, response: ApplicationCreated },
      async handler({ body, audit, actor }) {
        if (isAdminApplication(body)) requireTwoFactorSignIn(actor, 'Creating an application with the admin scope');
        const created = await applications.create(body as ApplicationInput);
        await audit('admin.application.create', {
          applicationId: created.application.id,
          clientId: created.application.clientId,
          name: created.application.name,
        });
        return created;
      },
    }),
    route({
      method: 'GET',
      url: '/applications/:id',
      operationId: 'getApplication',
      summary: 'Read an application',
      tag,
      errors: [404],
      schema: { params: IdParams, response: Application },
      handler: async ({ params }) => load(params.id),
    }),
    route({
      method: 'PUT',
      url: '/applications/:id',
      operationId: 'updateApplication',
      summary: 'Change an application (fields left out keep their values)',
      tag,
      errors: [404, 409],
      schema: { params: IdParams, body: ApplicationUpdate, response: Application },
      async handler({ params, body, audit, actor }) {
        if (isAdminApplication(await load(params.id)) || isAdminApplication(body))
          requireTwoFactorSignIn(actor, 'Changing an application with the admin scope');
        const updated = await applications.update(params.id, body as Partial<ApplicationInput>);
        await audit('admin.application.update', { applicationId: updated.id, fields: Object.keys(body) });
        return updated;
      },
    }),
    route({
      method: 'DELETE',
      url: '/applications/:id',
      operationId: 'deleteApplication',
      summary: 'Delete an application',
      tag,
      status: 204,
      errors: [404],
      schema: { params: IdParams },
      async handler({ params, audit, actor }) {
        const app = await load(params.id);
        if (isAdminApplication(app)) requireTwoFactorSignIn(actor, 'Deleting an application with the admin scope');
        await applications.delete(app.id);
        await audit('admin.application.delete', { applicationId: app.id, clientId: app.clientId, name: app.name });
      },
    }),
    route({
      method: 'POST',
      url: '/applications/:id/secret',
      operationId: 'regenerateApplicationSecret',
      summary: 'Replace the client secret with a new one, shown in this answer only',
      tag,
      errors: [404],
      schema: { params: IdParams, response: ClientSecret },
      async handler({ params, audit, actor }) {
        if (isAdminApplication(await load(params.id)))
          requireTwoFactorSignIn(actor, 'A new secret for an application with the admin scope');
        const clientSecret = await applications.regenerateSecret(params.id);
        await audit('admin.application.regenerate-secret', { applicationId: params.id });
        return { clientSecret };
      },
    }),
  ];
}
