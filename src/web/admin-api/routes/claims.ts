/** Claim dialects, their mappings onto local claims, and the local claims themselves (a claim in use is kept). */
import { Type } from '@sinclair/typebox';
import { LOCAL_DIALECT } from '../../../identity/claim-uris.js';
import {
  addLocalClaim,
  deleteLocalClaim,
  deleteMapping,
  getLocalClaim,
  type LocalClaimInput,
  listDialects,
  listLocalClaims,
  listMappings,
  setMapping,
  updateLocalClaim,
} from '../../../identity/claims.js';
import { NotFoundError, ValidationError } from '../../../identity/errors.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { type ApiRoute, paginate, route, searchPage } from '../route.js';
import {
  ClaimDialect,
  ClaimMapping,
  ClaimMappingBody,
  LocalClaim,
  LocalClaimCreate,
  LocalClaimUpdate,
  Page,
  PageQuery,
} from '../schemas.js';

const UriParams = Type.Object({
  uri: Type.String({ minLength: 1, maxLength: 255, description: 'The claim URI, URL-encoded.' }),
});
const DialectParams = Type.Object({
  dialect: Type.String({ minLength: 1, maxLength: 255, description: 'The dialect URI, URL-encoded.' }),
});
const MappingParams = Type.Object({
  dialect: DialectParams.properties.dialect,
  externalClaim: Type.String({ minLength: 1, maxLength: 255, description: 'URL-encoded.' }),
});

export function claimRoutes({ db }: Services): ApiRoute[] {
  const noLocalEdits = () =>
    new ValidationError([
      { field: 'dialect', message: `the local dialect ${LOCAL_DIALECT} is edited through /claims` },
    ]);
  return [
    route({
      method: 'GET',
      url: '/claim-dialects',
      operationId: 'listClaimDialects',
      summary: 'Claim dialects and how many claims each maps',
      tag: 'Claims',
      schema: { querystring: Type.Object(PageQuery), response: Page(ClaimDialect) },
      handler: async ({ query }) => paginate(await listDialects(db), query),
    }),
    route({
      method: 'GET',
      url: '/claim-dialects/:dialect/mappings',
      operationId: 'listClaimMappings',
      summary: 'Mappings of one dialect onto local claims (the local dialect maps each claim onto itself)',
      tag: 'Claims',
      schema: { params: DialectParams, querystring: Type.Object(PageQuery), response: Page(ClaimMapping) },
      async handler({ params, query }) {
        if (params.dialect === LOCAL_DIALECT) {
          const local = (await listLocalClaims(db)).map((c) => ({
            dialect: LOCAL_DIALECT,
            externalClaim: c.uri,
            localClaimUri: c.uri,
          }));
          return paginate(local, query);
        }
        return paginate(await listMappings(db, params.dialect), query);
      },
    }),
    route({
      method: 'PUT',
      url: '/claim-dialects/:dialect/mappings/:externalClaim',
      operationId: 'setClaimMapping',
      summary: 'Map an external claim of a dialect onto a local claim (creates the dialect when new)',
      tag: 'Claims',
      schema: { params: MappingParams, body: ClaimMappingBody, response: ClaimMapping },
      async handler({ params, body, audit }) {
        if (params.dialect === LOCAL_DIALECT) throw noLocalEdits();
        const mapping = {
          dialect: params.dialect,
          externalClaim: params.externalClaim,
          localClaimUri: body.localClaimUri,
        };
        // each claim write commits with its audit event, or neither does (docs/architecture.md, "Admin writes")
        await setMapping(db, mapping, (trx) => audit('admin.claim-mapping.update', { ...mapping }, trx));
        return mapping;
      },
    }),
    route({
      method: 'DELETE',
      url: '/claim-dialects/:dialect/mappings/:externalClaim',
      operationId: 'deleteClaimMapping',
      summary: 'Remove a mapping',
      tag: 'Claims',
      status: 204,
      errors: [404],
      schema: { params: MappingParams },
      async handler({ params, audit }) {
        if (params.dialect === LOCAL_DIALECT) throw noLocalEdits();
        await deleteMapping(db, params.dialect, params.externalClaim, (trx) =>
          audit('admin.claim-mapping.delete', { dialect: params.dialect, externalClaim: params.externalClaim }, trx),
        );
      },
    }),
    route({
      method: 'GET',
      url: '/claims',
      operationId: 'listClaims',
      summary: 'Local claims (search: URI or display name substring)',
      tag: 'Claims',
      schema: {
        querystring: Type.Object({ ...PageQuery, search: Type.Optional(Type.String({ maxLength: 255 })) }),
        response: Page(LocalClaim),
      },
      async handler({ query }) {
        return searchPage(await listLocalClaims(db), [(c) => c.uri, (c) => c.displayName], query);
      },
    }),
    route({
      method: 'POST',
      url: '/claims',
      operationId: 'createClaim',
      summary: 'Add a local claim',
      tag: 'Claims',
      status: 201,
      errors: [409],
      schema: { body: LocalClaimCreate, response: LocalClaim },
      async handler({ body, audit }) {
        const input = body as LocalClaimInput;
        return addLocalClaim(db, input, (trx) =>
          audit('admin.claim.create', { uri: input.uri, mappedAttribute: input.mappedAttribute }, trx),
        );
      },
    }),
    route({
      method: 'GET',
      url: '/claims/:uri',
      operationId: 'getClaim',
      summary: 'Read a local claim',
      tag: 'Claims',
      errors: [404],
      schema: { params: UriParams, response: LocalClaim },
      async handler({ params }) {
        const claim = await getLocalClaim(db, params.uri);
        if (!claim) throw new NotFoundError('claim', params.uri);
        return claim;
      },
    }),
    route({
      method: 'PUT',
      url: '/claims/:uri',
      operationId: 'updateClaim',
      summary: 'Change a local claim (fields left out keep their values)',
      tag: 'Claims',
      errors: [404],
      schema: { params: UriParams, body: LocalClaimUpdate, response: LocalClaim },
      async handler({ params, body, audit }) {
        return updateLocalClaim(db, params.uri, body as Partial<LocalClaimInput>, (trx) =>
          audit('admin.claim.update', { uri: params.uri, fields: Object.keys(body) }, trx),
        );
      },
    }),
    route({
      method: 'DELETE',
      url: '/claims/:uri',
      operationId: 'deleteClaim',
      summary: 'Delete a local claim; a built-in claim or one in use is kept (409 names the uses)',
      tag: 'Claims',
      status: 204,
      errors: [404, 409],
      schema: { params: UriParams },
      async handler({ params, audit }) {
        await deleteLocalClaim(db, params.uri, (trx) => audit('admin.claim.delete', { uri: params.uri }, trx));
      },
    }),
  ];
}
