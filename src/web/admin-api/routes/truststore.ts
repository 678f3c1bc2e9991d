/** Truststore certificates by alias: import PEM, DER, JKS or PKCS#12 (the seed's keytool -importcert), list, delete. */
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../../identity/errors.js';
import type { TrustedCertificate } from '../../../identity/truststore.js';
import { parseCertificates, TruststoreParseError } from '../../../sms/index.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { type ApiRoute, paginate, route } from '../route.js';
import { Certificate, CertificateImport, MAX_CERTIFICATE_CHARS, Page, PageQuery } from '../schemas.js';

const tag = 'Truststore';
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

const toJson = ({ pem: _pem, ...rest }: TrustedCertificate) => rest;

/** PEM text as is; anything else must be base64 of the binary file. */
function bytesOf(certificate: string): Buffer {
  if (certificate.includes('-----BEGIN')) return Buffer.from(certificate, 'utf8');
  if (!BASE64.test(certificate))
    throw new ValidationError([
      { field: 'certificate', message: 'must be PEM text or base64 of a DER, JKS or PKCS#12 file' },
    ]);
  return Buffer.from(certificate.replace(/\s+/g, ''), 'base64');
}

export function truststoreRoutes({ truststore }: Services): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/truststore',
      operationId: 'listCertificates',
      summary: 'Trusted certificates (subject, issuer, validity, fingerprint)',
      tag,
      schema: { querystring: Type.Object(PageQuery), response: Page(Certificate) },
      handler: async ({ query }) => paginate((await truststore.list()).map(toJson), query),
    }),
    route({
      method: 'POST',
      url: '/truststore',
      operationId: 'importCertificates',
      summary: 'Import the certificates of a file under an alias (a store with several gets alias, alias-2, ...)',
      tag,
      status: 201,
      errors: [409, 413],
      // the JSON around a base64 certificate of at most 256 KiB
      bodyLimit: MAX_CERTIFICATE_CHARS + 4096,
      schema: { body: CertificateImport, response: Type.Object({ items: Type.Array(Certificate) }) },
      async handler({ body, audit }) {
        let parsed: ReturnType<typeof parseCertificates>;
        try {
          parsed = parseCertificates(bytesOf(body.certificate), body.password);
        } catch (e) {
          if (e instanceof TruststoreParseError)
            throw new ValidationError([
              { field: e.reason === 'wrong-password' ? 'password' : 'certificate', message: e.message },
            ]);
          throw e;
        }
        // the audit event commits with the certificates, or none of them is stored (docs/architecture.md)
        const imported = await truststore.import(body.alias, parsed, Date.now(), (trx, stored) =>
          audit(
            'admin.truststore.import',
            { aliases: stored.map((c) => c.alias), fingerprints: stored.map((c) => c.fingerprint) },
            trx,
          ),
        );
        return { items: imported.map(toJson) };
      },
    }),
    route({
      method: 'DELETE',
      url: '/truststore/:alias',
      operationId: 'deleteCertificate',
      summary: 'Remove a certificate',
      tag,
      status: 204,
      errors: [404],
      schema: { params: Type.Object({ alias: Type.String({ minLength: 1, maxLength: 128 }) }) },
      async handler({ params, audit }) {
        await truststore.delete(params.alias, (trx) => audit('admin.truststore.delete', { alias: params.alias }, trx));
      },
    }),
  ];
}
