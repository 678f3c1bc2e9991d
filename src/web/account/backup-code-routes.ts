/**
 * Backup codes on the Security page: new ones replace every old one and are shown once (sealed in the state store
 * until the page after the redirect shows them).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { generateBackupCodes } from '../../identity/backup-codes.js';
import type { AccountContext } from './context.js';
import type { SecurityKit } from './security-page.js';

export function backupCodeRoutes(app: FastifyInstance, ctx: AccountContext, kit: SecurityKit): void {
  const { services } = ctx;
  const { guarded } = kit;
  const codesKey = (sessionId: string) => `account:backup-codes:${sessionId}`;
  app.post(
    '/account/backup-codes',
    guarded({ kind: 'backup-codes' }, async (req, reply, signed, _form, factors) => {
      const codes = generateBackupCodes();
      // the new codes and their event commit together (docs/architecture.md, "Admin writes")
      await services.db.transaction().execute(async (trx) => {
        await services.backupCodes.replace(signed.user.id, codes, Date.now(), trx);
        await ctx.audit(req, signed.user, 'account.backup-codes-regenerated', { count: codes.length }, trx);
      });
      // shown once: the page after the redirect reads them and deletes them (sealed while they wait)
      const id = randomBytes(12).toString('base64url');
      await services.state.delete(codesKey(signed.session.id));
      await services.state.create(
        codesKey(signed.session.id),
        { id, sealed: services.keyring.seal(JSON.stringify(codes), 'account-backup-codes') },
        5 * 60_000,
      );
      await ctx.notify(req, signed.user, factors, ['backup-codes']);
      return reply.redirect('/account/backup-codes', 303);
    }),
  );

  app.get('/account/backup-codes', async (req, reply) => {
    const signed = await ctx.signedIn(req);
    if (!signed) return reply.redirect(ctx.reauthUrl(), 303);
    const held = (await services.state.get<{ sealed: string }>(codesKey(signed.session.id)))?.value;
    await services.state.delete(codesKey(signed.session.id));
    if (!held) return reply.redirect('/account/', 303);
    const codes = JSON.parse(services.keyring.open(held.sealed, 'account-backup-codes')) as string[];
    return ctx.page(reply, 200, 'backup-codes', { codes }, signed);
  });
}
