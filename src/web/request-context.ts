/**
 * The request a piece of work runs for: Fastify's request id, carried through async calls with AsyncLocalStorage so
 * that code below the web layer (the audit log) can name the request without being handed it.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` as the work of request `requestId` (a request served past Fastify: web/oidc-lane.ts). */
export function runInRequest<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The id of the request being served, or undefined outside one (start-up, housekeeping, the CLI). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/**
 * Every request runs in its context from its first hook on and answers with its id in `x-request-id`. A body is read
 * from socket events, which run outside the context, so the context is entered again once the body is parsed (the
 * way @fastify/request-context does it).
 */
export function bindRequestContext(app: FastifyInstance): void {
  const scopes = new WeakMap<FastifyRequest, AsyncResource>();
  app.addHook('onRequest', (req, reply, done) => {
    // on the raw response: oidc-provider (mounted as middleware) writes its answers there, past Fastify's reply
    reply.raw.setHeader('x-request-id', req.id);
    storage.run({ requestId: req.id }, () => {
      scopes.set(req, new AsyncResource('stepgate-request'));
      done();
    });
  });
  app.addHook('preValidation', (req, _reply, done) => {
    const scope = scopes.get(req);
    if (scope) scope.runInAsyncScope(done);
    else done();
  });
}

/** A request id is a short token: an incoming one longer or odder than this is replaced, never logged as is. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's `genReqId`: the proxy's `x-request-id` when the proxy is trusted and the value is a plain token (so a
 * login can be followed from the proxy's log into ours), otherwise a fresh random id.
 */
export function requestIdGenerator(trustProxy: boolean): (req: IncomingMessage) => string {
  return (req) => {
    const incoming = req.headers['x-request-id'];
    if (trustProxy && typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming)) return incoming;
    return randomUUID();
  };
}
