/**
 * The SAML signing key and its self-signed certificate: created at first start, sealed with the master key in the
 * signing_keys table (use 'saml') like the OIDC keys, rotated with `stepgate keys rotate --use saml`. The newest
 * active key signs; earlier certificates stay in the metadata for a while so service providers that cached the
 * metadata keep verifying until they fetch it again.
 */
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import type Forge from 'node-forge';
import type { Keyring } from '../crypto/keyring.js';
import { newId } from '../identity/ids.js';
import { lazyModule } from '../lazy-module.js';
import type { Db } from '../store/db.js';

const SEAL = 'saml-signing-key';
const USE = 'saml';
/** How many earlier certificates the metadata keeps listing. */
const KEEP_PREVIOUS = 2;
const CERT_YEARS = 10;
/** node-forge writes the certificate of a new key: once per key, so it loads then, not at start. */
const nodeForge = lazyModule<typeof Forge>('node-forge');

export interface SamlKey {
  kid: string;
  /** PKCS#8 PEM */
  privateKey: string;
  /** X.509 PEM */
  certificate: string;
}

export interface SamlKeys {
  current: SamlKey;
  /** certificates of retired keys, newest first, still published in the metadata */
  previous: string[];
}

function newSamlKey(entityId: string, now: number): SamlKey {
  const forge = nodeForge();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${createHash('sha256').update(newId()).digest('hex').slice(0, 30)}`;
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + CERT_YEARS * 365 * 24 * 3600_000);
  const name = [
    { name: 'commonName', value: hostOf(entityId) },
    { name: 'organizationName', value: 'Stepgate SAML' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
  ]);
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(pkcs1) as Forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return {
    kid: newId('s_'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificate: forge.pki.certificateToPem(cert),
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || 'stepgate';
  } catch {
    return 'stepgate';
  }
}

async function addKey(db: Db, keyring: Keyring, entityId: string, now: number): Promise<string> {
  const key = newSamlKey(entityId, now);
  await db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      use: USE,
      sealed: keyring.seal(JSON.stringify(key), SEAL),
      status: 'active',
      created_at: now,
    })
    .execute();
  return key.kid;
}

/** Creates the SAML signing key on first start; a second node starting at the same time may add one too (harmless). */
export async function ensureSamlKeys(db: Db, keyring: Keyring, entityId: string, now = Date.now()): Promise<void> {
  const active = await db
    .selectFrom('signing_keys')
    .select('kid')
    .where('use', '=', USE)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!active) await addKey(db, keyring, entityId, now);
}

/** A new active key; the earlier ones are retired and stay in the metadata. */
export async function rotateSamlKeys(db: Db, keyring: Keyring, entityId: string, now = Date.now()): Promise<string> {
  await db
    .updateTable('signing_keys')
    .set({ status: 'retired' })
    .where('use', '=', USE)
    .where('status', '=', 'active')
    .execute();
  return addKey(db, keyring, entityId, now);
}

export async function loadSamlKeys(db: Db, keyring: Keyring): Promise<SamlKeys> {
  const rows = await db.selectFrom('signing_keys').selectAll().where('use', '=', USE).execute();
  const ordered = rows.sort(
    (a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.created_at - a.created_at,
  );
  if (ordered.length === 0) throw new Error('no SAML signing key: ensureSamlKeys runs at start');
  const keys = ordered.slice(0, 1 + KEEP_PREVIOUS).map((r) => JSON.parse(keyring.open(r.sealed, SEAL)) as SamlKey);
  return { current: keys[0]!, previous: keys.slice(1).map((k) => k.certificate) };
}

/** The base64 DER body of a PEM certificate, as ds:X509Certificate carries it. */
export function certificateBody(pem: string): string {
  return new X509Certificate(pem).raw.toString('base64');
}
