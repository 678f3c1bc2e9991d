/**
 * Authenticator apps on the Security page: add one (a QR code and otpauth:// URI, kept sealed in the state store for
 * this session until one good code confirms it), rename and remove one, under the installation's TOTP settings.
 * Each change commits with its audit event, in one transaction.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { cleanLabel } from '../../account/labels.js';
import { normaliseCode } from '../../authenticators/totp/code.js';
import { currentTotpConfig, ENROLMENT_TTL_MS } from '../../authenticators/totp/config.js';
import {
  confirmEnrolment,
  displayOf,
  type PendingEnrolment,
  prepareEnrolment,
} from '../../authenticators/totp/enrolment.js';
import type { AccountContext, Signed } from './context.js';
import { credentialRoutes } from './credential-routes.js';
import type { SecurityKit } from './security-page.js';

/** wrong first codes one enrolment may take; the last of them ends it */
const MAX_TOTP_TRIES = 5;

export function totpRoutes(app: FastifyInstance, ctx: AccountContext, kit: SecurityKit): void {
  const { services } = ctx;
  const { securityPage, guarded, done } = kit;
  const totpKey = (sessionId: string) => `account:totp:${sessionId}`;
  const totpTries = (sessionId: string) => `account:totp-tries:${sessionId}`;
  // the installation's settings as they are at each request (console › Authenticators), as at login
  const totpSettings = () => currentTotpConfig(services.db, services.config);
  app.post(
    '/account/totp',
    guarded({ kind: 'add-factor' }, async (req, reply, signed) => {
      const { pending } = await prepareEnrolment(
        services.totpCredentials,
        await totpSettings(),
        signed.user,
        services.config.publicUrl,
        'Authenticator app',
        Date.now(),
      );
      await services.state.delete(totpKey(signed.session.id));
      await services.state.resetCounter(totpTries(signed.session.id));
      await services.state.create(totpKey(signed.session.id), pending, ENROLMENT_TTL_MS);
      await ctx.audit(req, signed.user, 'account.totp-enrolment-started');
      return reply.redirect('/account/totp/new', 303);
    }),
  );

  async function enrolPage(
    reply: FastifyReply,
    status: number,
    signed: Signed,
    pending: PendingEnrolment,
    error?: string,
  ) {
    const display = await displayOf(
      services.totpCredentials,
      await totpSettings(),
      pending,
      signed.user.username,
      services.config.publicUrl,
    );
    reply.header('referrer-policy', 'no-referrer');
    return ctx.page(reply, status, 'totp-enrol', { ...display, label: pending.label }, signed, error ? { error } : {});
  }

  app.get('/account/totp/new', async (req, reply) => {
    const signed = await ctx.signedIn(req);
    if (!signed) return reply.redirect(ctx.reauthUrl(), 303);
    const pending = (await services.state.get<PendingEnrolment>(totpKey(signed.session.id)))?.value;
    if (!pending) return securityPage(reply, 410, signed, { error: 'account.error.totp-expired' });
    return enrolPage(reply, 200, signed, pending);
  });

  app.post(
    '/account/totp/new',
    guarded({ kind: 'add-factor' }, async (req, reply, signed, form, factors) => {
      const key = totpKey(signed.session.id);
      const pending = (await services.state.get<PendingEnrolment>(key))?.value;
      if (!pending || pending.userId !== signed.user.id)
        return securityPage(reply, 410, signed, { error: 'account.error.totp-expired' });
      const label = cleanLabel(form.label ?? '') ?? pending.label;
      const settings = await totpSettings();
      // the new app and its event commit together; a wrong code writes neither
      const confirmed = await services.db.transaction().execute(async (trx) => {
        const result = await confirmEnrolment(
          services.totpCredentials,
          settings,
          { ...pending, label },
          normaliseCode(form.code ?? ''),
          Date.now(),
          trx,
        );
        if (result.ok)
          await ctx.audit(req, signed.user, 'account.totp-added', { credentialId: result.credential.id }, trx);
        return result;
      });
      if (!confirmed.ok) {
        if (confirmed.reason === 'invalid-code') {
          if ((await services.state.increment(totpTries(signed.session.id), ENROLMENT_TTL_MS)) >= MAX_TOTP_TRIES) {
            await services.state.delete(key);
            return securityPage(reply, 429, signed, { error: 'account.error.totp-too-many-tries' });
          }
          return enrolPage(reply, 400, signed, pending, 'account.error.totp-wrong-code');
        }
        await services.state.delete(key);
        return securityPage(reply, confirmed.reason === 'expired' ? 410 : 409, signed, {
          error: confirmed.reason === 'expired' ? 'account.error.totp-expired' : 'account.error.totp-too-many',
        });
      }
      await services.state.delete(key);
      await ctx.notify(req, signed.user, factors, ['totp']);
      return done(reply, 'account.done.totp-added');
    }),
  );

  credentialRoutes(app, ctx, kit, {
    kind: 'totp',
    path: 'totp',
    remove: (userId, id, within) => services.totpCredentials.remove(userId, id, within),
  });
}
