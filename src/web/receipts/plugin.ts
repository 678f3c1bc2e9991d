/**
 * Delivery receipts over HTTP, an encapsulated plugin with its own body reading (every body as text, at most 64 KiB:
 * signatures are over the bytes as sent), rate limit and JSON problems:
 *   GET|POST /sms/receipts/{idp}/{gateway}/{token} — a provider's receipt (sms/receipts/receive.ts decides), audited
 *     as `sms.receipt` per message in the transaction of its status change, refusals as `sms.receipt-refused` with their reason
 *   GET /interaction/{uid}/sms-otp/delivery — the code page's poll: has this login's newest code been reported
 *     undelivered? Only for the browser that holds the login.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoginTransaction } from '../../authn/login-transaction.js';
import { protocolOf } from '../../authn/login-transaction.js';
import type { AuditLog } from '../../identity/audit.js';
import {
  notDelivered,
  RECEIPTS_PATH,
  type ReceiptOutcome,
  type ReceiveDeps,
  type RefusalReason,
  receiveReceipt,
  type SmsMessageLog,
} from '../../sms/receipts/index.js';
import type { ReceiptAlongside } from '../../sms/receipts/receive.js';
import type { FrontDoors } from '../front-doors.js';
import { HttpProblem, type ProblemCode, problemDocument, problemFromError } from '../problem.js';

export interface ReceiptsPluginOptions {
  receive: ReceiveDeps;
  messages: SmsMessageLog;
  audit: AuditLog;
  publicUrl: string;
  /** the login of a code page (the engine's load), and its front door */
  loadLogin(id: string): Promise<LoginTransaction | undefined>;
  frontDoors: FrontDoors;
  /** receipts per provider address and minute; default 1200 */
  perMinute?: number;
}

const BODY_LIMIT = 64 * 1024;

const STATUS_OF: Readonly<Record<RefusalReason, ProblemCode>> = {
  'bad-token': 'not-found',
  'unknown-gateway': 'not-found',
  'bad-signature': 'forbidden',
  unreadable: 'bad-request',
  'unknown-message': 'not-found',
};

function problem(reply: FastifyReply, code: ProblemCode, detail: string) {
  const doc = problemDocument(code, detail);
  return reply
    .status(doc.status)
    .type('application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(JSON.stringify(doc));
}

export async function receiptsPlugin(app: FastifyInstance, options: ReceiptsPluginOptions): Promise<void> {
  const base = options.publicUrl.replace(/\/+$/, '');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
  await app.register(rateLimit, {
    max: options.perMinute ?? 1200,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, ctx) => new HttpProblem('rate-limited', `Too many requests; retry in ${ctx.after}.`),
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof HttpProblem) return problem(reply, err.problemCode, err.message);
    if (err.statusCode === 413) return problem(reply, 'payload-too-large', 'A receipt is at most 64 KiB.');
    if (err.statusCode === 429) return problem(reply, 'rate-limited', 'Too many receipts; try again later.');
    if (err.statusCode !== undefined && err.statusCode < 500) return problem(reply, 'bad-request', err.message);
    // ours (an outage, a refused write): a problem without the database's words, so the provider retries later
    const mapped = problemFromError(err);
    if (mapped.internal) req.log.error({ err }, 'a delivery receipt could not be stored');
    return reply
      .status(mapped.problem.status)
      .headers(mapped.headers)
      .type('application/problem+json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(JSON.stringify(mapped.problem));
  });

  /** A refusal changed nothing: its event stands alone. */
  async function auditRefusal(req: FastifyRequest, target: Record<string, string>, outcome: ReceiptOutcome) {
    if (outcome.ok) return;
    await options.audit.record({
      event: 'sms.receipt-refused',
      ip: req.ip,
      data: {
        reason: outcome.reason,
        why: outcome.why,
        idpId: target.idp,
        gateway: target.gateway,
        provider: outcome.provider ?? null,
        providerMessageId: outcome.providerMessageId ?? null,
      },
    });
  }

  /** Each applied receipt's event, in the transaction of its status change (receive.ts): both commit or neither. */
  const auditApplied =
    (req: FastifyRequest, target: Record<string, string>): ReceiptAlongside =>
    (trx, a, by) =>
      options.audit.record(
        {
          event: 'sms.receipt',
          ip: req.ip,
          data: {
            idpId: target.idp,
            gateway: target.gateway,
            provider: by.provider,
            signed: by.signed,
            messageId: a.messageId,
            providerStatus: a.providerStatus,
            status: a.reported,
            before: a.before,
            after: a.after,
            errorCode: a.errorCode ?? null,
          },
        },
        trx,
      );

  app.route<{ Params: { idp: string; gateway: string; token: string } }>({
    method: ['GET', 'POST'],
    url: `${RECEIPTS_PATH}/:idp/:gateway/:token`,
    bodyLimit: BODY_LIMIT,
    async handler(req, reply) {
      const target = { idp: req.params.idp, gateway: req.params.gateway, token: req.params.token };
      const outcome = await receiveReceipt(
        options.receive,
        { idpId: target.idp, gateway: target.gateway, token: target.token },
        {
          method: req.method,
          // the URL the provider called, as it signed it: the public URL and this request's path and query
          url: base + req.url,
          headers: req.headers as Record<string, string | undefined>,
          rawBody: typeof req.body === 'string' ? req.body : '',
          contentType: String(req.headers['content-type'] ?? ''),
          now: Date.now(),
        },
        auditApplied(req, target),
      );
      await auditRefusal(req, target, outcome);
      if (!outcome.ok) return problem(reply, STATUS_OF[outcome.reason], outcome.why);
      return reply.status(204).header('cache-control', 'no-store').send();
    },
  });

  app.get<{ Params: { uid: string } }>('/interaction/:uid/sms-otp/delivery', async (req, reply) => {
    const tx = await options.loadLogin(req.params.uid);
    const door = tx ? options.frontDoors.get(protocolOf(tx)) : undefined;
    const holds = door ? await door.holds(req.raw, reply.raw, req.params.uid) : false;
    if (!tx || !holds) return problem(reply, 'not-found', 'No such login in this browser.');
    const latest = await options.messages.latestForLogin(req.params.uid);
    const status = latest?.status ?? null;
    return reply
      .header('cache-control', 'no-store')
      .send({ status, deliveryFailed: status !== null && notDelivered(status) });
  });
}
