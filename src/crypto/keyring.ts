/** Purpose-bound keys derived from the master key: sealing secrets at rest (AES-256-GCM) and keyed hashes (HMAC-SHA-256). */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Keyring {
  /** Encrypts a UTF-8 string; the output names its format so the scheme can change later. */
  seal(plaintext: string, purpose: string): string;
  open(sealed: string, purpose: string): string;
  /** HMAC-SHA-256 under a key for this purpose, hex. */
  mac(purpose: string, ...parts: string[]): string;
}

export function createKeyring(masterKey: Buffer): Keyring {
  const cache = new Map<string, Buffer>();
  const derive = (purpose: string): Buffer => {
    let key = cache.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `stepgate:${purpose}`, 32));
      cache.set(purpose, key);
    }
    return key;
  };
  return {
    seal(plaintext, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', derive(`seal:${purpose}`), iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed, purpose) {
      if (!sealed.startsWith('v1.')) throw new Error('unknown sealed format');
      const raw = Buffer.from(sealed.slice(3), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', derive(`seal:${purpose}`), raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
    mac(purpose, ...parts) {
      const h = createHmac('sha256', derive(`mac:${purpose}`));
      for (const p of parts) h.update(`${Buffer.byteLength(p)}:${p}`);
      return h.digest('hex');
    },
  };
}

/** Constant-time comparison of two hex or text digests of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}
