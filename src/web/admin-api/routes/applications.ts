/**
 * Applications (WSO2: service providers): OIDC and SAML settings, claim configuration and the authentication
 * sequence; "Import SP metadata" as JSON `{ xml }` or the XML itself (application/samlmetadata+xml).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApplicationInput } from '../../../identity/applications.js';
import { found, ValidationError } from '../../../identity/errors.js';
import {
  type ImportedSpMetadata,
  MAX_SP_METADATA_CHARS,
  parseSpMetadata,
  SamlMetadataError,
  withImportedMetadata,
} from '../../../identity/saml-metadata.js';
import { isAdminApplication, requireTwoFactorSignIn } from '../../json-api/auth.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
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
  SAML_METADATA_MEDIA_TYPES,
  SamlMetadataBody,
  SamlMetadataImport,
  SamlMetadataRead,
} from '../schemas.js';

const tag = 'Applications';
// the XML of one SP's metadata plus the JSON around it (escapes included)
const METADATA_BODY_LIMIT = 2 * MAX_SP_METADATA_CHARS + 4096;

/** SP metadata sent as XML becomes the body `{ xml }`, so one schema checks both ways of sending it. */
export function acceptSamlMetadata(app: FastifyInstance): void {
  app.addContentTypeParser(SAML_METADATA_MEDIA_TYPES, { parseAs: 'string' }, (_req, body, done) =>
    done(null, { xml: body as string }),
  );
}

function readMetadata(xml: string): ImportedSpMetadata {
  try {
    return parseSpMetadata(xml);
  } catch (e) {
    if (e instanceof SamlMetadataError) throw new ValidationError([{ field: 'xml', message: e.message }]);
    throw e;
  }
}

export function applicationRoutes({ applications }: Services): ApiRoute[] {
  const load = async (id: string) => found(await applications.get(id), 'application', id);
  return [
    route({
      method: 'GET',
      url: '/applications',
      operationId: 'listApplications',
      summary: 'List applications (search: name, client id or SAML issuer substring)',
      tag,
      schema: {
        querystring: Type.Object({ ...PageQuery, search: Type.Optional(Type.String({ maxLength: 255 })) }),
        response: Page(Application),
      },
      async handler({ query }) {
        return searchPage(
          await applications.list(),
          [(a) => a.name, (a) => a.clientId, (a) => a.saml?.issuer ?? ''],
          query,
        );
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
        // the audit event commits with the insert, or neither does (docs/architecture.md, "Admin writes")
        return applications.create(body as ApplicationInput, Date.now(), (trx, created) =>
          audit(
            'admin.application.create',
            { applicationId: created.id, clientId: created.clientId, name: body.name.trim() },
            trx,
          ),
        );
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
        return applications.update(params.id, body as Partial<ApplicationInput>, Date.now(), (trx) =>
          audit('admin.application.update', { applicationId: params.id, fields: Object.keys(body) }, trx),
        );
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
        await applications.delete(app.id, (trx) =>
          audit('admin.application.delete', { applicationId: app.id, clientId: app.clientId, name: app.name }, trx),
        );
      },
    }),
    route({
      method: 'POST',
      url: '/applications/:id/saml/metadata',
      operationId: 'importApplicationSamlMetadata',
      summary:
        "Import SP metadata: the SP's EntityDescriptor fills the SAML configuration (Issuer, Assertion Consumer URLs, Single Logout, certificate, NameID format, signed requests), which is saved",
      tag,
      errors: [404, 409, 413],
      bodyLimit: METADATA_BODY_LIMIT,
      schema: { params: IdParams, body: SamlMetadataBody, response: SamlMetadataImport },
      async handler({ params, body, audit, actor }) {
        const app = await load(params.id);
        if (isAdminApplication(app)) requireTwoFactorSignIn(actor, 'Changing an application with the admin scope');
        const imported = readMetadata(body.xml);
        const application = await applications.update(
          app.id,
          { saml: withImportedMetadata(app.saml, imported) },
          Date.now(),
          (trx) =>
            audit(
              'admin.application.saml-metadata-import',
              { applicationId: app.id, issuer: imported.settings.issuer, warnings: imported.warnings.length },
              trx,
            ),
        );
        return { application, warnings: imported.warnings };
      },
    }),
    route({
      method: 'POST',
      url: '/saml/sp-metadata',
      operationId: 'readSamlMetadata',
      summary:
        "Read an SP's metadata into SAML settings without saving anything (the console's Import SP metadata on a form)",
      tag,
      errors: [413],
      bodyLimit: METADATA_BODY_LIMIT,
      schema: { body: SamlMetadataBody, response: SamlMetadataRead },
      async handler({ body }) {
        const { settings, warnings } = readMetadata(body.xml);
        return {
          saml: {
            ...settings,
            singleLogout: { ...settings.singleLogout, enabled: settings.singleLogout?.enabled ?? false },
          },
          warnings,
        };
      },
    }),
    route({
      method: 'DELETE',
      url: '/applications/:id/saml',
      operationId: 'deleteApplicationSaml',
      summary: 'Remove the SAML configuration; the application stays (it needs an OIDC grant type then)',
      tag,
      status: 204,
      errors: [404],
      schema: { params: IdParams },
      async handler({ params, audit, actor }) {
        const app = await load(params.id);
        if (isAdminApplication(app)) requireTwoFactorSignIn(actor, 'Changing an application with the admin scope');
        await applications.update(app.id, { saml: null }, Date.now(), (trx) =>
          audit('admin.application.saml-delete', { applicationId: app.id, issuer: app.saml?.issuer ?? null }, trx),
        );
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
        const clientSecret = await applications.regenerateSecret(params.id, (trx) =>
          audit('admin.application.regenerate-secret', { applicationId: params.id }, trx),
        );
        return { clientSecret };
      },
    }),
  ];
}
