// parseCertificates reads PEM (one or many), DER, JKS and PKCS#12, and fails clearly on the wrong input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import forge from 'node-forge';
import { parseCertificates, TruststoreParseError } from '../../src/sms/index.js';
import { makeSelfSignedCertificate } from './support/tls.js';

const a = makeSelfSignedCertificate('provider-a.test');
const b = makeSelfSignedCertificate('provider-b.test');

/** A JKS truststore with trusted-certificate entries, written the way keytool writes one. */
function jksOf(entries: [string, Buffer][], password: string): Buffer {
  const parts: Buffer[] = [];
  const int = (n: number) => {
    const x = Buffer.alloc(4);
    x.writeUInt32BE(n);
    return x;
  };
  const utf = (s: string) => {
    const bytes = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(bytes.length);
    return Buffer.concat([len, bytes]);
  };
  parts.push(int(0xfeedfeed), int(2), int(entries.length));
  for (const [alias, der] of entries) {
    const time = Buffer.alloc(8);
    time.writeBigUInt64BE(BigInt(Date.now()));
    parts.push(int(2), utf(alias), time, utf('X.509'), int(der.length), der);
  }
  const body = Buffer.concat(parts);
  const digest = createHash('sha1')
    .update(Buffer.from(password, 'utf16le').swap16())
    .update('Mighty Aphrodite')
    .update(body)
    .digest();
  return Buffer.concat([body, digest]);
}

function p12Of(password: string): Buffer {
  const certs = [forge.pki.certificateFromPem(a.certPem), forge.pki.certificateFromPem(b.certPem)];
  const asn1 = forge.pkcs12.toPkcs12Asn1(null, certs, password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

const subjects = (certs: { subject: string }[]) => certs.map((c) => c.subject).sort();

describe('parseCertificates', () => {
  it('reads one PEM with its fields', () => {
    const [cert, ...rest] = parseCertificates(Buffer.from(a.certPem));
    assert.equal(rest.length, 0);
    assert.equal(cert?.subject, 'CN=provider-a.test');
    assert.equal(cert?.issuer, 'CN=provider-a.test');
    assert.ok(cert && cert.notAfter > cert.notBefore);
    assert.match(cert?.fingerprintSha256 ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(cert?.pem ?? '', /^-----BEGIN CERTIFICATE-----/);
  });
  it('reads a PEM bundle and drops duplicates', () => {
    const certs = parseCertificates(Buffer.from(`junk\n${a.certPem}\n${b.certPem}\n${a.certPem}`));
    assert.deepEqual(subjects(certs), ['CN=provider-a.test', 'CN=provider-b.test']);
  });
  it('reads DER', () => {
    assert.equal(parseCertificates(a.certDer)[0]?.subject, 'CN=provider-a.test');
  });
  it('reads JKS with and without the password, and rejects a wrong one', () => {
    const store = jksOf(
      [
        ['nexmo', a.certDer],
        ['plivo', b.certDer],
      ],
      'wso2carbon',
    );
    const certs = parseCertificates(store, 'wso2carbon');
    assert.deepEqual(certs.map((c) => c.alias).sort(), ['nexmo', 'plivo']);
    assert.equal(parseCertificates(store).length, 2);
    assert.throws(
      () => parseCertificates(store, 'nope'),
      (e: unknown) => e instanceof TruststoreParseError && e.reason === 'wrong-password',
    );
  });
  it('reads PKCS#12 and rejects a wrong password', () => {
    const store = p12Of('changeit');
    assert.deepEqual(subjects(parseCertificates(store, 'changeit')), ['CN=provider-a.test', 'CN=provider-b.test']);
    assert.throws(
      () => parseCertificates(store, 'wrong'),
      (e: unknown) => e instanceof TruststoreParseError && e.reason === 'wrong-password',
    );
  });
  it('rejects an unrecognised file and an empty one', () => {
    assert.throws(
      () => parseCertificates(Buffer.from('hello world')),
      (e: unknown) => e instanceof TruststoreParseError && e.reason === 'unrecognised',
    );
    assert.throws(
      () => parseCertificates(Buffer.alloc(0)),
      (e: unknown) => e instanceof TruststoreParseError && e.reason === 'empty',
    );
    assert.throws(
      () => parseCertificates(jksOf([], 'pw'), 'pw'),
      (e: unknown) => e instanceof TruststoreParseError && e.reason === 'empty',
    );
    assert.throws(
      () => parseCertificates(Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')),
      (e: unknown) => e instanceof TruststoreParseError && e.reason === 'empty',
    );
  });

  const keytool = spawnSync('keytool', ['-help']).error === undefined;
  it('reads stores written by keytool -importcert (JKS and PKCS12)', {
    skip: keytool ? false : 'keytool is not installed',
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-ks-'));
    try {
      writeFileSync(join(dir, 'a.pem'), a.certPem);
      for (const type of ['JKS', 'PKCS12']) {
        const store = join(dir, `store.${type}`);
        const r = spawnSync('keytool', [
          '-importcert',
          '-noprompt',
          '-file',
          join(dir, 'a.pem'),
          '-keystore',
          store,
          '-storetype',
          type,
          '-storepass',
          'wso2carbon',
          '-alias',
          'Nexmo',
        ]);
        assert.equal(r.status, 0, r.stderr.toString());
        const certs = parseCertificates(readFileSync(store), 'wso2carbon');
        assert.equal(certs[0]?.subject, 'CN=provider-a.test');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
