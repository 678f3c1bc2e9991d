/** Signing keys and cookie keys: created on first start, sealed with the master key in the database, rotatable. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'oidc-provider';
import type { Keyring } from '../crypto/keyring.js';
import { newId } from '../identity/ids.js';
import type { Db } from '../store/db.js';

const SEAL = 'signing-key';

function newSigningKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: newId('k_'), alg: 'RS256', use: 'sig' };
}

export async function ensureKeys(db: Db, keyring: Keyring, now = Date.now()): Promise<void> {
  const active = await db.selectFrom('signing_keys').select(['use']).where('status', '=', 'active').execute();
  if (!active.some((k) => k.use === 'sig')) await addKey(db, keyring, 'sig', now);
  if (!active.some((k) => k.use === 'cookie')) await addKey(db, keyring, 'cookie', now);
}

async function addKey(db: Db, keyring: Keyring, use: 'sig' | 'cookie', now: number): Promise<string> {
  const material = use === 'sig' ? JSON.stringify(newSigningKey()) : randomBytes(32).toString('base64url');
  const kid = use === 'sig' ? (JSON.parse(material) as JWK).kid! : newId('c_');
  await db
    .insertInto('signing_keys')
    .values({ kid, use, sealed: keyring.seal(material, SEAL), status: 'active', created_at: now })
    .execute();
  return kid;
}

/** Adds a new active key and keeps the previous ones published (retired) so tokens they signed still verify. */
export async function rotateKeys(db: Db, keyring: Keyring, use: 'sig' | 'cookie', now = Date.now()): Promise<string> {
  await db
    .updateTable('signing_keys')
    .set({ status: 'retired' })
    .where('use', '=', use)
    .where('status', '=', 'active')
    .execute();
  return addKey(db, keyring, use, now);
}

export async function loadKeys(db: Db, keyring: Keyring): Promise<{ jwks: JWK[]; cookieKeys: string[] }> {
  const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
  // newest first: oidc-provider signs with the first key; retired ones stay for verification; keep the last few
  const sig = rows
    .filter((r) => r.use === 'sig')
    .sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.created_at - a.created_at)
    .slice(0, 3);
  const cookie = rows
    .filter((r) => r.use === 'cookie')
    .sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.created_at - a.created_at)
    .slice(0, 3);
  return {
    jwks: sig.map((r) => JSON.parse(keyring.open(r.sealed, SEAL)) as JWK),
    cookieKeys: cookie.map((r) => keyring.open(r.sealed, SEAL)),
  };
}

export async function listKeys(db: Db): Promise<{ kid: string; use: string; status: string; createdAt: number }[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .select(['kid', 'use', 'status', 'created_at'])
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ kid: r.kid, use: r.use, status: r.status, createdAt: r.created_at }));
}
