/**
 * The mobile number and SMS codes on the Security page: a new number gets a code and replaces the old one only when
 * the code comes back (the old number is told); SMS codes on or off write the guide's Disable SMSOTP claim.
 */
import type { FastifyInstance } from 'fastify';
import { CODE_TTL_MS, createMobileChanges } from '../../account/mobile-change.js';
import { numberCodeText } from '../../account/sms.js';
import { ClaimUri } from '../../identity/claim-uris.js';
import { setUserClaims } from '../../identity/users.js';
import type { AccountContext } from './context.js';
import { formOf, type SecurityKit } from './security-page.js';

export function mobileRoutes(app: FastifyInstance, ctx: AccountContext, kit: SecurityKit): void {
  const { services } = ctx;
  const { securityPage, guarded, done } = kit;
  const mobiles = createMobileChanges(services);
  app.post(
    '/account/mobile',
    guarded({ kind: 'change-mobile' }, async (req, reply, signed, form, factors) => {
      const started = await mobiles.start(
        signed.user,
        signed.session.id,
        form.number ?? '',
        factors.mobile,
        factors.sms?.config.defaultCountry,
      );
      if (!started.ok) {
        await ctx.audit(req, signed.user, 'account.mobile-change-refused', { reason: started.reason });
        return securityPage(
          reply,
          started.reason === 'too-many-sends' ? 429 : started.reason === 'number-taken' ? 409 : 400,
          signed,
          {
            error: `account.error.${started.reason}`,
          },
        );
      }
      const sent = await ctx.sms(
        factors.sms,
        started.number,
        numberCodeText(factors.sms, started.code, CODE_TTL_MS / 1000),
      );
      await ctx.audit(req, signed.user, 'account.mobile-code-sent', { ...sent });
      if (sent.outcome !== 'sent') {
        await mobiles.cancel(signed.session.id);
        return securityPage(reply, 503, signed, { error: 'account.error.send-failed' });
      }
      return reply.redirect('/account/mobile/confirm', 303);
    }),
  );

  app.get('/account/mobile/confirm', async (req, reply) => {
    const signed = await ctx.signedIn(req);
    if (!signed) return reply.redirect(ctx.reauthUrl(), 303);
    const pending = await mobiles.pending(signed.session.id);
    if (!pending) return securityPage(reply, 410, signed, { error: 'account.error.no-pending' });
    return ctx.page(reply, 200, 'mobile-confirm', { number: ctx.masked(pending.number) }, signed);
  });

  app.post(
    '/account/mobile/confirm',
    guarded({ kind: 'change-mobile' }, async (req, reply, signed, form, factors) => {
      const pending = await mobiles.pending(signed.session.id);
      const before = factors.mobile;
      // the new number and its event commit together (account/mobile-change.ts runs the event in its transaction)
      const confirmed = await mobiles.confirm(signed.user, signed.session.id, form.code ?? '', (trx, number) =>
        ctx.audit(
          req,
          signed.user,
          'account.mobile-changed',
          { from: before ? ctx.masked(before) : null, to: ctx.masked(number) },
          trx,
        ),
      );
      if (!confirmed.ok) {
        await ctx.audit(req, signed.user, 'account.mobile-change-refused', { reason: confirmed.reason });
        if (confirmed.reason === 'wrong-code' && pending)
          return ctx.page(reply, 400, 'mobile-confirm', { number: ctx.masked(pending.number) }, signed, {
            error: 'account.error.wrong-code',
          });
        const status =
          confirmed.reason === 'number-taken' ? 409 : confirmed.reason === 'too-many-wrong-codes' ? 429 : 410;
        return securityPage(reply, status, signed, { error: `account.error.${confirmed.reason}` });
      }
      // the old number hears of it (a new number may be an attacker's); a user who had none is told on the new one
      await ctx.notify(req, signed.user, factors, ['mobile-number'], before ?? confirmed.number);
      return done(reply, 'account.done.mobile-changed');
    }),
  );

  // cancelling weakens nothing: a session and its CSRF token are enough
  app.post('/account/mobile/cancel', async (req, reply) => {
    const signed = await ctx.signedIn(req);
    if (!signed) return reply.redirect(ctx.reauthUrl(), 303);
    const form = formOf(req.body);
    if (!form || !ctx.csrfOk(signed, form)) return ctx.message(reply, 403, 'account.error.csrf', signed);
    await mobiles.cancel(signed.session.id);
    return done(reply, 'account.done.mobile-cancelled');
  });

  // ── SMS codes on / off (the guide's Disable SMSOTP claim) ───────────────────────────────────────────────────────
  app.post(
    '/account/sms-otp',
    guarded(
      (form) =>
        form.enabled === 'off' ? { kind: 'sms-otp-off' } : form.enabled === 'on' ? { kind: 'sms-otp-on' } : undefined,
      async (req, reply, signed, form, factors) => {
        const off = form.enabled === 'off';
        await services.db.transaction().execute(async (trx) => {
          await setUserClaims(trx, signed.user.id, { [ClaimUri.smsOtpDisabled]: off ? 'true' : 'false' });
          await ctx.audit(req, signed.user, off ? 'account.sms-otp-disabled' : 'account.sms-otp-enabled', {}, trx);
        });
        await ctx.notify(req, signed.user, factors, ['sms-otp-disabled']);
        return done(reply, off ? 'account.done.sms-otp-off' : 'account.done.sms-otp-on');
      },
    ),
  );
}
