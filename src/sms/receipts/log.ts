/**
 * The message log one process keeps (`services.smsMessages`): the callback URL each send carries, recording a sent
 * SMS, the code page's question (did this login's code arrive?), the admin API's reads, and the retention purge,
 * run on write at most once an hour (and by `purge` on demand), so no timer is needed on any node.
 */
import type { Keyring } from '../../crypto/keyring.js';
import type { Db } from '../../store/db.js';
import type { GatewayConfig } from '../config.js';
import { countSegments } from '../segments.js';
import { receiptToken, receiptUrl, withReceiptCallback } from './callback.js';
import {
  type GatewayRates,
  gatewayRates,
  getMessage,
  insertMessage,
  latestForLogin,
  listMessages,
  type MessageFilter,
  type MessagePurpose,
  markVerified,
  purgeMessages,
  type SmsMessage,
  undeliveredGatewaysOfLogin,
} from './messages.js';

const DAY_MS = 86_400_000;
const PURGE_EVERY_MS = 3_600_000;

export interface SmsMessageLogDeps {
  db: Db;
  keyring: Keyring;
  publicUrl: string;
  retentionDays: number;
  now?: () => number;
}

export interface SentSms {
  idpId: string;
  gateway: string;
  provider: string;
  providerMessageId: string | undefined;
  purpose: MessagePurpose;
  /** E.164: only its last four digits are kept, beside the masked form */
  to: string;
  masked: string;
  country: string | undefined;
  text: string;
  loginId?: string | undefined;
}

export function createSmsMessageLog(deps: SmsMessageLogDeps) {
  const now = deps.now ?? Date.now;
  let nextPurgeAt = 0;
  const retentionMs = deps.retentionDays * DAY_MS;

  async function purge(at = now()): Promise<number> {
    nextPurgeAt = at + PURGE_EVERY_MS;
    return purgeMessages(deps.db, at - retentionMs);
  }

  return {
    retentionDays: deps.retentionDays,
    receiptToken: (idpId: string, gateway: string) => receiptToken(deps.keyring, idpId, gateway),
    /** Where this gateway's provider sends receipts (the console shows it, for the providers set per account). */
    receiptUrl(idpId: string, gateway: string): string {
      return receiptUrl(deps.publicUrl, idpId, gateway, receiptToken(deps.keyring, idpId, gateway));
    },
    /** The configuration a send uses: with the callback URL for the presets that take one per message. */
    forSend(config: GatewayConfig, idpId: string, gateway: string): GatewayConfig {
      const token = receiptToken(deps.keyring, idpId, gateway);
      return withReceiptCallback(config, receiptUrl(deps.publicUrl, idpId, gateway, token), token);
    },
    async recordSent(sms: SentSms): Promise<SmsMessage> {
      const at = now();
      const message = await insertMessage(deps.db, {
        idpId: sms.idpId,
        gateway: sms.gateway,
        provider: sms.provider,
        providerMessageId: sms.providerMessageId,
        purpose: sms.purpose,
        destination: sms.masked,
        destinationSuffix: sms.to.replace(/\D/g, '').slice(-4),
        country: sms.country,
        segments: countSegments(sms.text).segments,
        loginId: sms.loginId,
        at,
      });
      if (at >= nextPurgeAt) await purge(at);
      return message;
    },
    verified: (loginId: string, at = now()) => markVerified(deps.db, loginId, at),
    latestForLogin: (loginId: string) => latestForLogin(deps.db, loginId),
    undeliveredGatewaysOfLogin: (loginId: string) => undeliveredGatewaysOfLogin(deps.db, loginId),
    list: (filter: MessageFilter) => listMessages(deps.db, filter),
    get: (id: string) => getMessage(deps.db, id),
    rates: (since: number): Promise<GatewayRates[]> => gatewayRates(deps.db, since),
    purge,
  };
}

export type SmsMessageLog = ReturnType<typeof createSmsMessageLog>;
