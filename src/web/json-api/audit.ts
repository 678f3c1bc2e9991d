/** The audit event of a JSON API write, in the caller's name: who (user or automation client), from where, what. */
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../identity/audit.js';
import type { Db } from '../../store/db.js';
import type { Actor } from './auth.js';

export function recordAudit(
  audit: AuditLog,
  actor: Actor,
  req: FastifyRequest,
  event: string,
  data: Record<string, unknown>,
  within?: Db,
): Promise<void> {
  return audit.record(
    {
      event,
      userId: actor.kind === 'user' ? actor.userId : null,
      username: actor.kind === 'user' ? actor.username : null,
      clientId: actor.clientId,
      ip: req.ip,
      data: { actor: actor.kind === 'user' ? `user:${actor.username}` : `client:${actor.clientId}`, ...data },
    },
    within,
  );
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the authenticated caller of the admin API or SCIM */
    actor?: Actor;
  }
}
