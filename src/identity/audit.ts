/** Audit events: stored, queryable, never holding a secret (numbers are masked by the caller). */
import { compileOncePerDialect } from '../store/compile-once.js';
import type { Db } from '../store/db.js';
import { afterCommit } from '../store/transaction.js';
import { newId } from './ids.js';

export interface AuditEvent {
  id: string;
  at: number;
  event: string;
  userId: string | null;
  username: string | null;
  clientId: string | null;
  ip: string | null;
  data: Record<string, unknown>;
}

export type AuditInput = Omit<AuditEvent, 'id' | 'at' | 'userId' | 'username' | 'clientId' | 'ip' | 'data'> &
  Partial<Pick<AuditEvent, 'userId' | 'username' | 'clientId' | 'ip' | 'data' | 'at'>>;

export interface AuditQuery {
  event?: string;
  username?: string;
  from?: number;
  to?: number;
  offset?: number;
  limit?: number;
}

/**
 * Sees each event once it is durable (metrics count it, the operator log writes its line): an event recorded in a
 * transaction only after that transaction committed, never when it rolled back. It must not throw or wait.
 */
export type AuditListener = (event: AuditInput) => void;

export function createAuditLog(db: Db) {
  const listeners = new Set<AuditListener>();
  // the web layer names the request an event is written in (web/request-context.ts); nothing here knows HTTP
  let requestIdOf: () => string | undefined = () => undefined;
  // every login records events: the insert is compiled once (store/compile-once.ts), for `db` and its transactions
  const insert = compileOncePerDialect(
    8,
    (
      on: Db,
      id: string,
      at: number,
      event: string,
      userId: string | null,
      username: string | null,
      clientId: string | null,
      ip: string | null,
      data: string,
    ) =>
      on.insertInto('audit_events').values({ id, at, event, user_id: userId, username, client_id: clientId, ip, data }),
  );
  return {
    /**
     * Stores an event; in `within` (a transaction) it commits or rolls back with the change it describes, and the
     * listeners hear of it after the commit (store/transaction.ts `afterCommit`), so a rolled-back change is neither
     * counted nor logged.
     */
    async record(e: AuditInput, within: Db = db): Promise<void> {
      const requestId = requestIdOf();
      if (requestId) e = { ...e, data: { ...e.data, requestId } };
      await insert.run(
        within,
        newId('ev_'),
        e.at ?? Date.now(),
        e.event,
        e.userId ?? null,
        e.username ?? null,
        e.clientId ?? null,
        e.ip ?? null,
        JSON.stringify(e.data ?? {}),
      );
      afterCommit(within, () => {
        for (const listener of listeners) {
          // one broken listener must not keep the event from the others (the change is stored already)
          try {
            listener(e);
          } catch (err) {
            process.emitWarning(`audit listener failed on ${e.event}: ${err instanceof Error ? err.message : err}`);
          }
        }
      });
    },
    /** Adds a listener of stored events; returns the function that removes it. */
    onRecord(listener: AuditListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Where the id of the current request comes from; it goes into each event's data as `requestId`. */
    tagRequests(source: () => string | undefined): void {
      requestIdOf = source;
    },
    async query(q: AuditQuery = {}): Promise<{ total: number; events: AuditEvent[] }> {
      let base = db.selectFrom('audit_events');
      if (q.event) base = base.where('event', '=', q.event);
      if (q.username) base = base.where('username', '=', q.username);
      if (q.from !== undefined) base = base.where('at', '>=', q.from);
      if (q.to !== undefined) base = base.where('at', '<=', q.to);
      const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const rows = await base
        .selectAll()
        .orderBy('at', 'desc')
        .orderBy('id')
        .offset(q.offset ?? 0)
        .limit(q.limit ?? 50)
        .execute();
      return {
        total,
        events: rows.map((r) => ({
          id: r.id,
          at: r.at,
          event: r.event,
          userId: r.user_id,
          username: r.username,
          clientId: r.client_id,
          ip: r.ip,
          data: JSON.parse(r.data) as Record<string, unknown>,
        })),
      };
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
