/**
 * The messages table as plain functions taking `db` (or a transaction): record a sent SMS, find it by the provider's
 * id, apply a receipt with its timeline row, list and count for the admin API, and purge what is past retention.
 */
import { newId } from '../../identity/ids.js';
import type { Db } from '../../store/db.js';
import type { SmsMessagesTable } from '../../store/schema.js';
import { type MessageStatus, nextStatus, notDelivered } from './status.js';

export type MessagePurpose = 'otp' | 'notice';

export interface SmsMessage {
  id: string;
  idpId: string;
  gateway: string;
  provider: string;
  providerMessageId: string | null;
  purpose: MessagePurpose;
  /** the masked number */
  destination: string;
  country: string | null;
  segments: number;
  status: MessageStatus;
  errorCode: string | null;
  loginId: string | null;
  verifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface MessageEvent {
  at: number;
  status: MessageStatus;
  /** the provider's word (`sent` for the send itself) */
  providerStatus: string;
  errorCode: string | null;
}

export interface NewMessage {
  idpId: string;
  gateway: string;
  provider: string;
  providerMessageId: string | undefined;
  purpose: MessagePurpose;
  destination: string;
  /** the last digits of the number, for the admin's "ends with" filter */
  destinationSuffix: string;
  country: string | undefined;
  segments: number;
  loginId: string | undefined;
  at: number;
}

export interface MessageFilter {
  status?: MessageStatus | undefined;
  idpId?: string | undefined;
  gateway?: string | undefined;
  since?: number | undefined;
  /** digits the number ends with */
  destinationSuffix?: string | undefined;
  offset: number;
  limit: number;
}

export interface GatewayRates {
  idpId: string;
  gateway: string;
  provider: string;
  sent: number;
  delivered: number;
  failed: number;
  expired: number;
  unknown: number;
  /** codes sent (purpose otp) and how many of them were entered */
  codes: number;
  verified: number;
}

function toMessage(row: SmsMessagesTable): SmsMessage {
  return {
    id: row.id,
    idpId: row.idp_id,
    gateway: row.gateway,
    provider: row.provider,
    providerMessageId: row.provider_message_id,
    purpose: row.purpose as MessagePurpose,
    destination: row.destination,
    country: row.country,
    segments: Number(row.segments),
    status: row.status as MessageStatus,
    errorCode: row.error_code,
    loginId: row.login_id,
    verifiedAt: row.verified_at === null ? null : Number(row.verified_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

let sequence = 0;

/**
 * A message id that sorts in the order this node sent: its time and a counter in front of the random part, so that
 * messages sent within one millisecond still list newest first.
 */
function messageId(at: number): string {
  sequence = (sequence + 1) % 36 ** 4;
  return `msg_${at.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${newId()}`;
}

export async function insertMessage(db: Db, m: NewMessage): Promise<SmsMessage> {
  const row: SmsMessagesTable = {
    id: messageId(m.at),
    idp_id: m.idpId,
    gateway: m.gateway,
    provider: m.provider,
    provider_message_id: m.providerMessageId ?? null,
    purpose: m.purpose,
    destination: m.destination,
    destination_suffix: m.destinationSuffix,
    country: m.country ?? null,
    segments: m.segments,
    status: 'accepted',
    error_code: null,
    login_id: m.loginId ?? null,
    verified_at: null,
    created_at: m.at,
    updated_at: m.at,
  };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('sms_messages').values(row).execute();
    await trx
      .insertInto('sms_message_events')
      .values({
        id: newId('mev_'),
        message_id: row.id,
        at: m.at,
        status: 'accepted',
        provider_status: 'sent',
        error_code: null,
      })
      .execute();
  });
  return toMessage(row);
}

export async function findByProviderId(
  db: Db,
  idpId: string,
  gateway: string,
  providerMessageId: string,
): Promise<SmsMessage | undefined> {
  const row = await db
    .selectFrom('sms_messages')
    .selectAll()
    .where('idp_id', '=', idpId)
    .where('gateway', '=', gateway)
    .where('provider_message_id', '=', providerMessageId)
    .executeTakeFirst();
  return row ? toMessage(row) : undefined;
}

/**
 * One receipt: a timeline row always (a repeated or late receipt is history too), the status only forward. The
 * status moves by compare-and-set on the status read, so two receipts at once cannot both move it: the loser reads
 * again and decides anew.
 */
export async function applyReceipt(
  db: Db,
  messageId: string,
  receipt: { status: MessageStatus; providerStatus: string; errorCode?: string | undefined },
  at: number,
): Promise<{ before: MessageStatus; after: MessageStatus } | undefined> {
  const errorCode = receipt.errorCode?.slice(0, 64) ?? null;
  for (let tries = 0; tries < 5; tries += 1) {
    const row = await db
      .selectFrom('sms_messages')
      .select(['status', 'error_code'])
      .where('id', '=', messageId)
      .executeTakeFirst();
    if (!row) return undefined;
    const before = row.status as MessageStatus;
    const after = nextStatus(before, receipt.status);
    if (after !== before) {
      const moved = await db
        .updateTable('sms_messages')
        .set({
          status: after,
          error_code: notDelivered(after) ? (errorCode ?? row.error_code) : row.error_code,
          updated_at: at,
        })
        .where('id', '=', messageId)
        .where('status', '=', before)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) continue;
    }
    await db
      .insertInto('sms_message_events')
      .values({
        id: newId('mev_'),
        message_id: messageId,
        at,
        status: receipt.status,
        provider_status: receipt.providerStatus.slice(0, 64),
        error_code: errorCode,
      })
      .execute();
    // the status this receipt found when it was applied: before === after when it moved nothing
    return { before, after };
  }
  throw new Error(`the status of ${messageId} kept changing under five receipts at once`);
}

/** The newest message of a login (the code the page waits for). */
export async function latestForLogin(db: Db, loginId: string): Promise<SmsMessage | undefined> {
  const row = await db
    .selectFrom('sms_messages')
    .selectAll()
    .where('login_id', '=', loginId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? toMessage(row) : undefined;
}

/** Gateways whose message to this login failed or expired: a resend tries the others first. */
export async function undeliveredGatewaysOfLogin(db: Db, loginId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('sms_messages')
    .select('gateway')
    .distinct()
    .where('login_id', '=', loginId)
    .where('status', 'in', ['failed', 'expired'])
    .execute();
  return rows.map((r) => r.gateway);
}

/** The login's code was entered: its newest message converted (one statement on the verify path). */
export async function markVerified(db: Db, loginId: string, at: number): Promise<void> {
  const newest = db
    .selectFrom('sms_messages')
    .select('id')
    .where('login_id', '=', loginId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1);
  await db
    .updateTable('sms_messages')
    .set({ verified_at: at })
    .where('id', '=', newest)
    .where('verified_at', 'is', null)
    .execute();
}

function filtered(db: Db, f: Omit<MessageFilter, 'offset' | 'limit'>) {
  let q = db.selectFrom('sms_messages');
  if (f.status) q = q.where('status', '=', f.status);
  if (f.idpId) q = q.where('idp_id', '=', f.idpId);
  if (f.gateway) q = q.where('gateway', '=', f.gateway);
  if (f.since !== undefined) q = q.where('created_at', '>=', f.since);
  if (f.destinationSuffix) q = q.where('destination_suffix', 'like', `%${f.destinationSuffix}`);
  return q;
}

export async function listMessages(db: Db, f: MessageFilter): Promise<{ total: number; items: SmsMessage[] }> {
  const counted = await filtered(db, f)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  const rows = await filtered(db, f)
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .offset(f.offset)
    .limit(f.limit)
    .execute();
  return { total: Number(counted?.n ?? 0), items: rows.map(toMessage) };
}

export async function getMessage(db: Db, id: string): Promise<(SmsMessage & { timeline: MessageEvent[] }) | undefined> {
  const row = await db.selectFrom('sms_messages').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const events = await db
    .selectFrom('sms_message_events')
    .selectAll()
    .where('message_id', '=', id)
    .orderBy('at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  return {
    ...toMessage(row),
    timeline: events.map((e) => ({
      at: Number(e.at),
      status: e.status as MessageStatus,
      providerStatus: e.provider_status,
      errorCode: e.error_code,
    })),
  };
}

/** Per gateway since a time: messages by status, and codes sent against codes entered. */
export async function gatewayRates(db: Db, since: number): Promise<GatewayRates[]> {
  const rows = await db
    .selectFrom('sms_messages')
    .select(['idp_id', 'gateway', 'provider', 'status', 'purpose'])
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('verified_at').as('verified')])
    .where('created_at', '>=', since)
    .groupBy(['idp_id', 'gateway', 'provider', 'status', 'purpose'])
    .execute();
  const byGateway = new Map<string, GatewayRates>();
  for (const r of rows) {
    const key = `${r.idp_id}\u0000${r.gateway}`;
    let g = byGateway.get(key);
    if (!g) {
      g = {
        idpId: r.idp_id,
        gateway: r.gateway,
        provider: r.provider,
        sent: 0,
        delivered: 0,
        failed: 0,
        expired: 0,
        unknown: 0,
        codes: 0,
        verified: 0,
      };
      byGateway.set(key, g);
    }
    const n = Number(r.n);
    g.sent += n;
    const status = r.status as MessageStatus;
    if (status !== 'accepted') g[status] += n;
    if (r.purpose === 'otp') {
      g.codes += n;
      g.verified += Number(r.verified);
    }
  }
  return [...byGateway.values()].sort((a, b) => a.idpId.localeCompare(b.idpId) || a.gateway.localeCompare(b.gateway));
}

/** Deletes messages (and their timelines) created before `before`; returns how many. */
export async function purgeMessages(db: Db, before: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const old = trx.selectFrom('sms_messages').select('id').where('created_at', '<', before);
    // explicit, not left to ON DELETE CASCADE: SQLite enforces it only with foreign_keys on
    await trx.deleteFrom('sms_message_events').where('message_id', 'in', old).execute();
    const result = await trx.deleteFrom('sms_messages').where('created_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
