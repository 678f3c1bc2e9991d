/** The truststore: certificates by alias, in the database so that every node trusts the same providers. */
import type { Db } from '../store/db.js';
import { type Alongside, inTransaction } from '../store/transaction.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';

export interface TrustedCertificate {
  alias: string;
  pem: string;
  subject: string;
  issuer: string;
  notBefore: number;
  notAfter: number;
  fingerprint: string;
  createdAt: number;
}

export interface CertificateToImport {
  pem: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
}

export function createTruststore(db: Db) {
  let cache: { at: number; pems: string[] } | undefined;
  const store = {
    async list(): Promise<TrustedCertificate[]> {
      const rows = await db.selectFrom('truststore').selectAll().orderBy('alias').execute();
      return rows.map((r) => ({
        alias: r.alias,
        pem: r.pem,
        subject: r.subject,
        issuer: r.issuer,
        notBefore: r.not_before,
        notAfter: r.not_after,
        fingerprint: r.fingerprint,
        createdAt: r.created_at,
      }));
    },
    /** Imports certificates under an alias; a store with several certificates gets alias, alias-2, alias-3… */
    /** `alongside` (the audit event) commits with the certificates: all of them, or none. */
    async import(
      alias: string,
      certs: CertificateToImport[],
      now = Date.now(),
      alongside?: (trx: Db, imported: { alias: string; fingerprint: string }[]) => Promise<void>,
    ): Promise<TrustedCertificate[]> {
      if (!/^[\w.@-]{1,128}$/.test(alias))
        throw new ValidationError([{ field: 'alias', message: 'must be 1–128 letters, digits or . _ @ -' }]);
      if (certs.length === 0) throw new ValidationError([{ field: 'file', message: 'holds no certificate' }]);
      const aliases = certs.map((_, i) => (i === 0 ? alias : `${alias}-${i + 1}`));
      const taken = await db.selectFrom('truststore').select('alias').where('alias', 'in', aliases).execute();
      if (taken.length > 0)
        throw new ConflictError(`the alias ${taken[0]!.alias} exists already; delete it first or pick another alias`);
      await inTransaction(db, async (trx) => {
        for (const [i, c] of certs.entries()) {
          await trx
            .insertInto('truststore')
            .values({
              alias: aliases[i]!,
              pem: c.pem,
              subject: c.subject,
              issuer: c.issuer,
              not_before: c.notBefore.getTime(),
              not_after: c.notAfter.getTime(),
              fingerprint: c.fingerprintSha256,
              created_at: now,
            })
            .execute();
        }
        await alongside?.(
          trx,
          certs.map((c, i) => ({ alias: aliases[i]!, fingerprint: c.fingerprintSha256 })),
        );
      });
      cache = undefined;
      return (await store.list()).filter((c) => aliases.includes(c.alias));
    },
    async delete(alias: string, alongside?: Alongside): Promise<void> {
      await inTransaction(db, async (trx) => {
        const r = await trx.deleteFrom('truststore').where('alias', '=', alias).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) throw new NotFoundError('certificate', alias);
        await alongside?.(trx);
      });
      cache = undefined;
    },
    /** PEMs for outbound TLS; re-read at most every 5 s so an import on another node is seen quickly. */
    async pems(now = Date.now()): Promise<string[]> {
      if (!cache || now - cache.at > 5000)
        cache = {
          at: now,
          pems: (await db.selectFrom('truststore').select('pem').orderBy('alias').execute()).map((r) => r.pem),
        };
      return cache.pems;
    },
  };
  return store;
}

export type Truststore = ReturnType<typeof createTruststore>;
