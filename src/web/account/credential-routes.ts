/**
 * Rename and remove, the same for an authenticator app and a passkey on the Security page: the credential must be
 * the signed-in user's, and each change commits with its audit event (`account.<kind>-renamed`/`-removed`) in one
 * transaction; a removal is announced to the user like any factor change.
 */
import type { FastifyInstance } from 'fastify';
import { cleanLabel, renameCredential } from '../../account/labels.js';
import type { Db } from '../../store/db.js';
import type { AccountContext } from './context.js';
import type { SecurityKit } from './security-page.js';

export interface CredentialKind {
  kind: 'totp' | 'passkey';
  /** the routes' prefix: /account/<path>/:id/rename and …/remove */
  path: string;
  /** deletes the user's credential in the transaction given; false when there was none to delete */
  remove(userId: string, id: string, within: Db): Promise<boolean>;
}

export function credentialRoutes(
  app: FastifyInstance,
  ctx: AccountContext,
  kit: SecurityKit,
  { kind, path, remove }: CredentialKind,
): void {
  const { services } = ctx;
  const { securityPage, guarded, done } = kit;

  app.post(
    `/account/${path}/:id/rename`,
    guarded({ kind: 'rename-factor' }, async (req, reply, signed, form) => {
      const label = cleanLabel(form.label ?? '');
      if (!label) return securityPage(reply, 400, signed, { error: 'account.error.label' });
      const id = req.params.id ?? '';
      const renamed = await services.db.transaction().execute(async (trx) => {
        if (!(await renameCredential(trx, kind, signed.user.id, id, label))) return false;
        await ctx.audit(req, signed.user, `account.${kind}-renamed`, { credentialId: id }, trx);
        return true;
      });
      if (!renamed) return securityPage(reply, 404, signed, { error: 'account.error.not-found' });
      return done(reply, 'account.done.renamed');
    }),
  );

  app.post(
    `/account/${path}/:id/remove`,
    guarded({ kind: 'remove-factor', factor: kind }, async (req, reply, signed, _form, factors) => {
      const id = req.params.id ?? '';
      const owned = kind === 'totp' ? factors.totp : factors.passkeys;
      const removed =
        owned.some((c) => c.id === id) &&
        (await services.db.transaction().execute(async (trx) => {
          if (!(await remove(signed.user.id, id, trx))) return false;
          await ctx.audit(req, signed.user, `account.${kind}-removed`, { credentialId: id }, trx);
          return true;
        }));
      if (!removed) return securityPage(reply, 404, signed, { error: 'account.error.not-found' });
      await ctx.notify(req, signed.user, factors, [kind]);
      return done(reply, `account.done.${kind}-removed`);
    }),
  );
}
