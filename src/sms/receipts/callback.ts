/**
 * Where a provider sends the receipts of one gateway: `/sms/receipts/{idp}/{gateway}/{token}` under the public URL.
 * The token is a keyed hash of the identity provider and gateway (HMAC under the master key): random to anyone
 * without the key, different per gateway, stored nowhere, checked in constant time; it changes with the master key.
 */
import type { Keyring } from '../../crypto/keyring.js';
import type { GatewayConfig } from '../config.js';
import { CALLBACK_FIELD } from './callback-field.js';

export const RECEIPTS_PATH = '/sms/receipts';

export { CALLBACK_FIELD } from './callback-field.js';

export function receiptToken(keyring: Keyring, idpId: string, gateway: string): string {
  return keyring.mac('sms-receipt-token', idpId, gateway);
}

export function receiptUrl(publicUrl: string, idpId: string, gateway: string, token: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}${RECEIPTS_PATH}/${encodeURIComponent(idpId)}/${encodeURIComponent(gateway)}/${token}`;
}

/**
 * The gateway configuration a send uses: for a preset, the callback URL as the hidden field its template reads; the
 * token is added to the mask values, so the logged and displayed request never shows it.
 */
export function withReceiptCallback(config: GatewayConfig, url: string, token: string): GatewayConfig {
  if (config.preset === undefined) return config;
  return {
    ...config,
    maskValues: [...config.maskValues, token],
    preset: { ...config.preset, fields: { ...config.preset.fields, [CALLBACK_FIELD]: url } },
  };
}
