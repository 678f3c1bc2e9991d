// Reads certificates to trust from what an operator has: PEM (one or many), DER, a JKS store or a PKCS#12 store.
import { X509Certificate } from 'node:crypto';
import type Jks from 'jks-js';
import type Forge from 'node-forge';
import { lazyModule } from '../../lazy-module.js';

/** The store readers load when an operator imports a store, not at every start. */
const jksJs = lazyModule<typeof Jks>('jks-js');
const nodeForge = lazyModule<typeof Forge>('node-forge');

export interface ParsedCertificate {
  pem: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** Upper-case hex bytes separated by colons, as openssl and keytool print it. */
  fingerprintSha256: string;
  /** The entry's alias when the certificate came from a JKS or PKCS#12 store. */
  alias?: string;
}

export type TruststoreParseErrorReason = 'wrong-password' | 'unrecognised' | 'empty';

export class TruststoreParseError extends Error {
  constructor(
    readonly reason: TruststoreParseErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'TruststoreParseError';
  }
}

const PEM_BLOCK = /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----[\s\S]*?-----END (?:TRUSTED |X509 )?CERTIFICATE-----/g;
const JKS_MAGIC = 0xfeedfeed;

function describe(cert: X509Certificate, alias?: string): ParsedCertificate {
  const parsed: ParsedCertificate = {
    pem: cert.toString(),
    subject: cert.subject.split('\n').join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprintSha256: cert.fingerprint256,
  };
  if (alias !== undefined) parsed.alias = alias;
  return parsed;
}

function fromPem(text: string): ParsedCertificate[] {
  const blocks = text.match(PEM_BLOCK) ?? [];
  return blocks.map((block) => {
    const base64 = block.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    try {
      return describe(new X509Certificate(Buffer.from(base64, 'base64')));
    } catch {
      throw new TruststoreParseError('unrecognised', 'a PEM block in the file is not a valid X.509 certificate');
    }
  });
}

function fromJks(bytes: Buffer, password: string | undefined): ParsedCertificate[] {
  let entries: ReturnType<typeof Jks.parseJks>;
  try {
    // Without a password the store's integrity check is skipped, as keytool -list does; certificates are public.
    entries = jksJs().parseJks(bytes, password ?? '');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/password/i.test(message)) {
      throw new TruststoreParseError(
        'wrong-password',
        'the JKS store password is wrong (keystore integrity check failed)',
      );
    }
    throw new TruststoreParseError('unrecognised', `the JKS store could not be read: ${message}`);
  }
  const out: ParsedCertificate[] = [];
  for (const entry of entries) {
    const certs = 'cert' in entry ? [entry.cert] : entry.chain;
    for (const cert of certs) out.push(describe(new X509Certificate(cert.value), entry.alias));
  }
  return out;
}

function fromPkcs12(bytes: Buffer, password: string | undefined): ParsedCertificate[] | undefined {
  const forge = nodeForge();
  let asn1: Forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(bytes.toString('binary'));
  } catch {
    return undefined;
  }
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, password ?? '');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/password|MAC|decrypt/i.test(message)) {
      throw new TruststoreParseError(
        'wrong-password',
        password ? 'the PKCS#12 store password is wrong' : 'the PKCS#12 store needs a password (--password)',
      );
    }
    return undefined;
  }
  const bags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag as string] ?? [];
  return bags.flatMap((bag) => {
    // forge parses only RSA certificates; for others it leaves the raw ASN.1, which Node reads fine.
    const certAsn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : (bag as { asn1?: Forge.asn1.Asn1 }).asn1;
    if (certAsn1 === undefined) return [];
    const der = Buffer.from(forge.asn1.toDer(certAsn1).getBytes(), 'binary');
    const alias = bag.attributes?.friendlyName?.[0];
    return [describe(new X509Certificate(der), typeof alias === 'string' ? alias : undefined)];
  });
}

function unique(certs: ParsedCertificate[]): ParsedCertificate[] {
  const seen = new Set<string>();
  return certs.filter((c) => !seen.has(c.fingerprintSha256) && seen.add(c.fingerprintSha256));
}

/**
 * Every certificate in the file. Throws TruststoreParseError with reason `wrong-password`, `unrecognised`
 * (not PEM, DER, JKS or PKCS#12) or `empty` (a store or PEM file without certificates).
 */
export function parseCertificates(bytes: Buffer, password?: string): ParsedCertificate[] {
  if (bytes.length === 0) throw new TruststoreParseError('empty', 'the file is empty');
  let certs: ParsedCertificate[] | undefined;

  const head = bytes.subarray(0, 4096).toString('latin1');
  if (head.includes('-----BEGIN')) {
    certs = fromPem(bytes.toString('utf8'));
  } else if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) {
    certs = fromJks(bytes, password);
  } else if (bytes[0] === 0x30) {
    try {
      certs = [describe(new X509Certificate(bytes))];
    } catch {
      certs = fromPkcs12(bytes, password);
    }
  }
  if (certs === undefined) {
    throw new TruststoreParseError(
      'unrecognised',
      'the file is not a PEM or DER certificate, a JKS store or a PKCS#12 store',
    );
  }
  if (certs.length === 0) throw new TruststoreParseError('empty', 'the file holds no certificates');
  return unique(certs);
}
