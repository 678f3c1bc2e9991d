/**
 * The OpenAPI 3.1 document, generated from the route table: the same TypeBox schemas that validate requests describe
 * them here (OpenAPI 3.1 speaks JSON Schema 2020-12). Named schemas become components and are referenced by $ref.
 */
import type { TSchema } from '@sinclair/typebox';
import { ADMIN_SCOPE } from '../../oidc/provider.js';
import { PROBLEMS } from '../problem.js';
import type { ApiRoute } from './route.js';
import { COMPONENTS } from './schemas.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A plain JSON copy of a schema (TypeBox's symbol keys dropped), with named components replaced by $ref. */
function toDoc(schema: unknown, self?: string): Json {
  if (Array.isArray(schema)) return schema.map((s) => toDoc(s));
  if (schema === null || typeof schema !== 'object') return schema as Json;
  const title = (schema as { title?: unknown }).title;
  if (typeof title === 'string' && title !== self && COMPONENTS[title])
    return { $ref: `#/components/schemas/${title}` };
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, toDoc(v)]));
}

function parameters(schema: TSchema | undefined, location: 'path' | 'query'): Json[] {
  if (!schema?.properties) return [];
  const required = new Set<string>(schema.required ?? []);
  return Object.entries(schema.properties as Record<string, TSchema>).map(([name, s]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    ...(s.description ? { description: s.description } : {}),
    schema: toDoc(s),
  }));
}

/**
 * A request body's media types: JSON with the schema, and for a body schema that names `x-raw-media-types` (SP
 * metadata) each of those too, carrying the text of the schema's one property itself.
 */
function requestContent(body: TSchema): Json {
  const content: Record<string, Json> = { 'application/json': { schema: toDoc(body) } };
  const raw = (body as { 'x-raw-media-types'?: string[] })['x-raw-media-types'] ?? [];
  const [property] = Object.values((body.properties ?? {}) as Record<string, TSchema>);
  for (const mediaType of raw)
    content[mediaType] = {
      schema: { type: 'string', ...(property?.description ? { description: property.description } : {}) },
    };
  return content;
}

const problemResponse = (status: number): Json => ({
  description: Object.values(PROBLEMS).find((p) => p.status === status)?.title ?? 'Error',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function openApiDocument(
  routes: ApiRoute[],
  info: { publicUrl: string; prefix: string; version: string },
): Json {
  const paths: Record<string, Record<string, Json>> = {};
  paths['/openapi.json'] = {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      tags: ['Meta'],
      security: [],
      responses: {
        '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const status = r.status ?? 200;
    const responses: Record<string, Json> = {
      [String(status)]:
        status === 204 || !r.schema.response
          ? { description: 'No content' }
          : { description: 'OK', content: { 'application/json': { schema: toDoc(r.schema.response) } } },
    };
    for (const s of [400, 401, 403, ...(r.errors ?? []), 429, 500].sort((a, b) => a - b))
      responses[String(s)] = problemResponse(s);
    if (r.schema.body) {
      responses['413'] = problemResponse(413);
      responses['415'] = problemResponse(415);
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      parameters: [...parameters(r.schema.params, 'path'), ...parameters(r.schema.querystring, 'query')],
      ...(r.schema.body ? { requestBody: { required: true, content: requestContent(r.schema.body) } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stepgate Admin API',
      version: info.version,
      description:
        'Manage applications, identity providers, claims, users, the truststore and the audit log. Errors are RFC 9457 problem documents; see docs/errors.md.',
    },
    servers: [{ url: `${info.publicUrl.replace(/\/$/, '')}${info.prefix}` }],
    security: [{ bearer: [] }, { oauth2: [ADMIN_SCOPE] }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(COMPONENTS).map(([name, s]) => [name, toDoc(s, name)])),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: `An access token issued by Stepgate with the ${ADMIN_SCOPE} scope.`,
        },
        oauth2: {
          type: 'oauth2',
          flows: {
            clientCredentials: {
              tokenUrl: `${info.publicUrl.replace(/\/$/, '')}/oidc/token`,
              scopes: { [ADMIN_SCOPE]: 'Administer Stepgate' },
            },
          },
        },
      },
    },
  };
}
