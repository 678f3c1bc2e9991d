/**
 * A trigger for test/ops/admin-transactions.test.ts and the other suites: while it exists, every insert
 * into audit_events (or only those of one event) fails — on PostgreSQL as the server going away (SQLSTATE 57P01),
 * on SQLite as RAISE(ABORT) — so a write that shares a transaction with its audit event must roll back.
 */
import { sql } from 'kysely';
import type { Db } from '../../src/store/db.js';
import type { Backend } from './backends.js';

export async function refuseAudit(db: Db, kind: Backend['name'], onlyEvent?: string): Promise<void> {
  const when = onlyEvent ? sql`WHEN (NEW.event = ${sql.lit(onlyEvent)})` : sql``;
  if (kind === 'postgres') {
    await sql`CREATE OR REPLACE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit store refused the event' USING ERRCODE = '57P01'; END $$`.execute(db);
    await sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW ${when}
      EXECUTE FUNCTION refuse_audit()`.execute(db);
  } else {
    await sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events ${when}
      BEGIN SELECT RAISE(ABORT, 'audit store refused the event'); END`.execute(db);
  }
}

export async function allowAudit(db: Db, kind: Backend['name']): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS refuse_audit${sql.raw(kind === 'postgres' ? ' ON audit_events' : '')}`.execute(db);
}

/** Runs `work` with the audit refused, and drops the trigger whatever happens. */
export async function withAuditRefused<T>(
  db: Db,
  kind: Backend['name'],
  work: () => Promise<T>,
  onlyEvent?: string,
): Promise<T> {
  await refuseAudit(db, kind, onlyEvent);
  try {
    return await work();
  } finally {
    await allowAudit(db, kind);
  }
}
