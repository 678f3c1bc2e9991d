/**
 * A route of the admin API as data: method, path, OpenAPI words, TypeBox schemas and a handler that receives typed
 * input and the caller. The plugin registers the table with Fastify; openapi.ts turns the same table into the document.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../store/db.js';
import type { Actor } from '../json-api/auth.js';

export interface RouteSchema {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** the success response; omitted for 204 */
  response?: TSchema;
}

type In<T, Fallback> = T extends TSchema ? Static<T> : Fallback;

export interface HandlerContext<S extends RouteSchema> {
  params: In<S['params'], Record<string, never>>;
  query: In<S['querystring'], Record<string, never>>;
  body: In<S['body'], undefined>;
  actor: Actor;
  req: FastifyRequest;
  reply: FastifyReply;
  /** records `admin.<resource>.<verb>` with the caller as actor; pass the write's transaction to commit them together */
  audit(event: string, data?: Record<string, unknown>, within?: Db): Promise<void>;
}

export interface ApiRoute<S extends RouteSchema = RouteSchema> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify path relative to the API base, e.g. '/users/:id' */
  url: string;
  operationId: string;
  summary: string;
  tag: string;
  schema: S;
  /** success status: 200 by default, 201 for creations, 204 for deletions */
  status?: 200 | 201 | 204;
  /** statuses besides 400/401/403/429/500 this route may answer with, for the document */
  errors?: (404 | 409 | 413 | 502)[];
  bodyLimit?: number;
  rateLimit?: { max: number; timeWindow: number };
  handler(ctx: HandlerContext<S>): Promise<unknown>;
}

/** Keeps the route's schema types attached to its handler. */
export function route<S extends RouteSchema>(r: ApiRoute<S>): ApiRoute<S> {
  return r;
}

/** In-memory pagination for small collections (claims, applications, identity providers). */
export function paginate<T>(all: T[], q: { offset: number; limit: number }) {
  return { items: all.slice(q.offset, q.offset + q.limit), total: all.length, offset: q.offset, limit: q.limit };
}

/** A page of the items whose named text fields contain `search` (case-insensitive); all items without a search. */
export function searchPage<T>(
  all: T[],
  fields: ((item: T) => string)[],
  q: { offset: number; limit: number; search?: string | undefined },
) {
  const needle = q.search?.toLowerCase();
  return paginate(needle ? all.filter((item) => fields.some((f) => f(item).toLowerCase().includes(needle))) : all, q);
}
