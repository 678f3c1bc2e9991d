/**
 * SCIM 2.0 under /scim2 (RFC 7643/7644): Users (create, read, list with filter, PATCH, replace, delete) and the
 * discovery endpoints. Same bearer authentication as the admin API; answers are application/scim+json, failures
 * SCIM error documents.
 *
 * Each request: rate limit → authenticate → parse JSON → validate shape → read or write through the domain → answer
 */
import rateLimit from '@fastify/rate-limit';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { changedAuthenticators } from '../../identity/authenticator-changes.js';
import { ClaimUri } from '../../identity/claim-uris.js';
import { listLocalClaims } from '../../identity/claims.js';
import { phoneLookupKey } from '../../identity/phone.js';
import { claimsOf, deleteUser, getUserById, getUserByUsername, listUsers, type User } from '../../identity/users.js';
import type { Db } from '../../store/db.js';
import { announceAuthenticatorChange } from '../authenticator-notice.js';
import { recordAudit } from '../json-api/audit.js';
import { createBearerAuth, requireSecondFactor } from '../json-api/auth.js';
import type { JsonApiServices } from '../json-api/services.js';
import { acceptJsonOnly, typeboxValidatorCompiler } from '../json-api/validation.js';
import { MAX_RESULTS, resourceTypeDocuments, schemaDocuments, serviceProviderConfig } from './discovery.js';
import { ScimError, scimErrorFrom } from './errors.js';
import { type Filter, matches, parseFilter, requiredEqualities } from './filter.js';
import { applyPatch, type PatchOperation } from './patch.js';
import { CORE_USER, LIST_RESPONSE, PATCH_OP, STEPGATE_USER } from './schema-uris.js';
import {
  createFromScim,
  type DesiredUser,
  locationOf,
  readDesired,
  replaceFromScim,
  SCIM_NAME_OF_CLAIM,
  type ScimDoc,
  toScimUser,
} from './user-resource.js';

export const SCIM_PREFIX = '/scim2';
const SCIM_JSON = 'application/scim+json; charset=utf-8';

export interface ScimOptions {
  services: JsonApiServices;
  rateLimit?: { max: number; timeWindow: number };
  /** kept for symmetry with the admin API's options; SCIM answers are built by hand and not schema-checked */
  checkResponses?: boolean;
}

const UserBody = Type.Object(
  { schemas: Type.Array(Type.String(), { minItems: 1 }), userName: Type.Optional(Type.String({ maxLength: 255 })) },
  { additionalProperties: true },
);
const PatchBody = Type.Object(
  {
    schemas: Type.Array(Type.String(), { minItems: 1 }),
    Operations: Type.Array(
      Type.Object({
        op: Type.String({ maxLength: 16 }),
        path: Type.Optional(Type.String({ maxLength: 1024 })),
        value: Type.Optional(Type.Unknown()),
      }),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);
const MAX_INDEX = 1_000_000_000;
const ListQuery = Type.Object({
  filter: Type.Optional(Type.String({ maxLength: 2048 })),
  // bounded so no number reaches the database as an OFFSET it cannot take (a huge startIndex was a 500)
  startIndex: Type.Optional(Type.Integer({ minimum: -MAX_INDEX, maximum: MAX_INDEX })),
  count: Type.Optional(Type.Integer({ minimum: -MAX_INDEX, maximum: MAX_INDEX })),
  attributes: Type.Optional(Type.String({ maxLength: 1024 })),
  excludedAttributes: Type.Optional(Type.String({ maxLength: 1024 })),
});
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

function send(reply: FastifyReply, status: number, body: unknown) {
  return reply.status(status).type(SCIM_JSON).header('cache-control', 'no-store').send(JSON.stringify(body));
}

/** `attributes` / `excludedAttributes` on top-level attributes; id and schemas are always returned. */
function project(doc: ScimDoc, attributes?: string, excluded?: string): ScimDoc {
  const names = (s?: string) =>
    (s ?? '')
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter((a) => a !== '')
      .map((a) =>
        a.startsWith(`${STEPGATE_USER.toLowerCase()}:`)
          ? STEPGATE_USER.toLowerCase()
          : a.replace(`${CORE_USER.toLowerCase()}:`, '').split('.')[0]!,
      );
  const keep = names(attributes);
  const drop = names(excluded);
  return Object.fromEntries(
    Object.entries(doc).filter(([k]) => {
      const key = k.toLowerCase();
      if (key === 'id' || key === 'schemas') return true;
      if (keep.length > 0) return keep.includes(key);
      return !drop.includes(key);
    }),
  );
}

async function scim(app: FastifyInstance, options: ScimOptions): Promise<void> {
  const { services } = options;
  const authenticate = createBearerAuth(services);
  const base = `${services.config.publicUrl.replace(/\/$/, '')}${SCIM_PREFIX}`;
  const rename = (field: string) => SCIM_NAME_OF_CLAIM[field] ?? field;

  acceptJsonOnly(app, ['application/scim+json', 'application/json']);
  app.setValidatorCompiler(typeboxValidatorCompiler);
  app.setErrorHandler((error, req, reply) => {
    const mapped = scimErrorFrom(error, rename);
    if (mapped.internal) req.log.error({ err: error }, 'SCIM request failed');
    for (const [k, v] of Object.entries(mapped.headers)) reply.header(k, v);
    return send(reply, Number(mapped.body.status), mapped.body);
  });
  app.setNotFoundHandler((_req, reply) =>
    send(reply, 404, scimErrorFrom(new ScimError(404, undefined, 'No such SCIM endpoint.')).body),
  );
  await app.register(rateLimit, {
    max: options.rateLimit?.max ?? 600,
    timeWindow: options.rateLimit?.timeWindow ?? 60_000,
    errorResponseBuilder: () => new ScimError(429, undefined, 'Too many requests; try again later.'),
  });
  app.addHook('preParsing', async (req: FastifyRequest) => {
    req.actor = await authenticate(req.headers.authorization);
  });
  const audit = (req: FastifyRequest, event: string, data: Record<string, unknown>, within?: Db) =>
    recordAudit(services.audit, req.actor!, req, event, { via: 'scim', ...data }, within);

  /**
   * The authenticators a write changes (mobile, Disable SMSOTP, password, backup codes), refused without a two-factor
   * sign-in as in the admin API; returns what the SMS notice after the write needs.
   */
  async function guardAuthenticators(req: FastifyRequest, current: User | undefined, desired: DesiredUser) {
    const before = current ? claimsOf(current, await listLocalClaims(services.db)) : undefined;
    const backupCodes = desired.backupCodes !== undefined && (current !== undefined || desired.backupCodes.length > 0);
    const changes = changedAuthenticators(
      { claims: desired.claims, password: desired.password !== undefined, backupCodes },
      before,
    );
    requireSecondFactor(req.actor!, current ?? { id: '', username: desired.userName }, changes);
    const announce = async (user: User) => {
      const after = await getUserById(services.db, user.id);
      await announceAuthenticatorChange(services, {
        actor: req.actor!,
        user,
        changes,
        mobileBefore: before?.[ClaimUri.mobile],
        mobileAfter: after ? claimsOf(after, await listLocalClaims(services.db))[ClaimUri.mobile] : undefined,
        audit: (event, data) => audit(req, event, data),
        log: req.log,
      });
    };
    return { changes, announce };
  }

  async function load(id: string): Promise<User> {
    const user = await getUserById(services.db, id);
    if (!user) throw new ScimError(404, undefined, `User ${id} not found.`);
    return user;
  }
  const resource = (user: User) => toScimUser(services, user, base);

  /** Users that may match: narrowed by an `eq` on userName, id or the mobile number when the filter has one. */
  async function candidates(filter: Filter): Promise<User[]> {
    for (const eq of requiredEqualities(filter)) {
      const { attr, sub, schema } = eq.path;
      if (schema !== CORE_USER) continue;
      if (attr === 'userName')
        return [await getUserByUsername(services.db, eq.value)].filter((u): u is User => u !== undefined);
      if (attr === 'id') return [await getUserById(services.db, eq.value)].filter((u): u is User => u !== undefined);
      if (attr === 'phoneNumbers' && (sub === undefined || sub === 'value')) {
        const mobile = (await listLocalClaims(services.db)).find((c) => c.uri === ClaimUri.mobile);
        if (mobile)
          return (
            await listUsers(services.db, {
              attribute: { name: mobile.mappedAttribute, value: phoneLookupKey(eq.value) },
              limit: 1000,
            })
          ).users;
      }
    }
    const all: User[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = await listUsers(services.db, { offset, limit: 200 });
      all.push(...page.users);
      if (page.users.length < 200) return all;
    }
  }

  app.get('/ServiceProviderConfig', async (_req, reply) => send(reply, 200, serviceProviderConfig(base)));
  /** A discovery collection and its members by id: the same shape for Schemas and ResourceTypes. */
  function discovery(path: string, label: string, documents: () => { id: string }[]): void {
    app.get(path, async (_req, reply) => {
      const docs = documents();
      return send(reply, 200, {
        schemas: [LIST_RESPONSE],
        totalResults: docs.length,
        itemsPerPage: docs.length,
        startIndex: 1,
        Resources: docs,
      });
    });
    app.get<{ Params: { id: string } }>(`${path}/:id`, async (req, reply) => {
      const doc = documents().find((d) => d.id === req.params.id);
      if (!doc) throw new ScimError(404, undefined, `${label} ${req.params.id} not found.`);
      return send(reply, 200, doc);
    });
  }
  discovery('/Schemas', 'Schema', () => schemaDocuments(base));
  discovery('/ResourceTypes', 'Resource type', () => resourceTypeDocuments(base));

  app.get<{
    Querystring: {
      filter?: string;
      startIndex?: number;
      count?: number;
      attributes?: string;
      excludedAttributes?: string;
    };
  }>('/Users', { schema: { querystring: ListQuery } }, async (req, reply) => {
    const q = req.query;
    const startIndex = Math.max(1, q.startIndex ?? 1);
    const count = Math.min(MAX_RESULTS, Math.max(0, q.count ?? 100));
    let total: number;
    let page: User[];
    if (q.filter?.trim()) {
      const filter = parseFilter(q.filter);
      const docs: { user: User; doc: ScimDoc }[] = [];
      for (const user of await candidates(filter)) {
        const doc = await resource(user);
        if (matches(doc, filter)) docs.push({ user, doc });
      }
      total = docs.length;
      page = docs.slice(startIndex - 1, startIndex - 1 + count).map((d) => d.user);
    } else {
      const listed = await listUsers(services.db, { offset: startIndex - 1, limit: Math.max(count, 1) });
      total = listed.total;
      page = count === 0 ? [] : listed.users;
    }
    const Resources = await Promise.all(
      page.map(async (u) => project(await resource(u), q.attributes, q.excludedAttributes)),
    );
    return send(reply, 200, {
      schemas: [LIST_RESPONSE],
      totalResults: total,
      itemsPerPage: Resources.length,
      startIndex,
      Resources,
    });
  });

  app.get<{ Params: { id: string }; Querystring: { attributes?: string; excludedAttributes?: string } }>(
    '/Users/:id',
    { schema: { params: IdParams } },
    async (req, reply) => {
      const doc = await resource(await load(req.params.id));
      return send(reply, 200, project(doc, req.query.attributes, req.query.excludedAttributes));
    },
  );

  app.post<{ Body: ScimDoc }>('/Users', { schema: { body: UserBody } }, async (req, reply) => {
    const desired = readDesired(req.body);
    const { changes } = await guardAuthenticators(req, undefined, desired);
    const user = await createFromScim(services, desired, (trx, created) =>
      audit(
        req,
        'admin.user.create',
        {
          targetUserId: created.id,
          targetUsername: created.username,
          ...(changes.length > 0 ? { authenticators: changes } : {}),
        },
        trx,
      ),
    );
    const doc = await resource(user);
    return send(reply.header('location', locationOf(base, user.id)), 201, doc);
  });

  app.put<{ Params: { id: string }; Body: ScimDoc }>(
    '/Users/:id',
    { schema: { params: IdParams, body: UserBody } },
    async (req, reply) => {
      const current = await load(req.params.id);
      const desired = readDesired(req.body);
      const { changes, announce } = await guardAuthenticators(req, current, desired);
      const user = await replaceFromScim(services, current, desired, (trx, u) =>
        audit(
          req,
          'admin.user.update',
          {
            targetUserId: u.id,
            targetUsername: u.username,
            replace: true,
            ...(changes.length > 0 ? { authenticators: changes } : {}),
          },
          trx,
        ),
      );
      await announce(current);
      return send(reply, 200, await resource(user));
    },
  );

  app.patch<{ Params: { id: string }; Body: { schemas: string[]; Operations: PatchOperation[] } }>(
    '/Users/:id',
    { schema: { params: IdParams, body: PatchBody } },
    async (req, reply) => {
      if (!req.body.schemas.includes(PATCH_OP))
        throw new ScimError(400, 'invalidValue', `schemas must be ["${PATCH_OP}"]`);
      const current = await load(req.params.id);
      const patched = readDesired(applyPatch(await resource(current), req.body.Operations));
      const { changes, announce } = await guardAuthenticators(req, current, patched);
      const user = await replaceFromScim(services, current, patched, (trx, u) =>
        audit(
          req,
          'admin.user.update',
          {
            targetUserId: u.id,
            targetUsername: u.username,
            patch: req.body.Operations.map((o) => `${o.op} ${o.path ?? ''}`.trim()),
            ...(changes.length > 0 ? { authenticators: changes } : {}),
          },
          trx,
        ),
      );
      await announce(current);
      return send(reply, 200, await resource(user));
    },
  );

  app.delete<{ Params: { id: string } }>('/Users/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const user = await load(req.params.id);
    await services.db.transaction().execute(async (trx) => {
      await deleteUser(trx, user.id);
      await audit(req, 'admin.user.delete', { targetUserId: user.id, targetUsername: user.username }, trx);
    });
    return reply.status(204).send();
  });
}

/** Mount with `app.register(scimPlugin, { services })`; it registers its own prefix /scim2. */
export const scimPlugin: FastifyPluginAsync<ScimOptions> = async (app, options) => {
  await app.register(scim, { ...options, prefix: SCIM_PREFIX });
};
