/**
 * Passkeys on the Security page: add one (a WebAuthn registration whose single-use challenge belongs to this session,
 * under the installation's passkey settings), rename and remove one. Each change commits with its audit event.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createChallenges } from '../../authenticators/passkey/challenges.js';
import { PASSKEY_DEFAULTS } from '../../authenticators/passkey/index.js';
import { registerPasskey } from '../../authenticators/passkey/registration.js';
import { parseCredential, registrationOptions, relyingPartyOf } from '../../authenticators/passkey/webauthn.js';
import { createAuthenticatorSettings } from '../../identity/authenticator-settings.js';
import type { AccountContext, Signed } from './context.js';
import { credentialRoutes } from './credential-routes.js';
import type { SecurityKit } from './security-page.js';

export function passkeyRoutes(app: FastifyInstance, ctx: AccountContext, kit: SecurityKit): void {
  const { services } = ctx;
  const { securityPage, guarded, done } = kit;
  const challenges = createChallenges(services.state);
  const challengeOwner = (sessionId: string) => `account:${sessionId}`;
  const installation = createAuthenticatorSettings(services.db);
  const passkeySettings = async () => (await installation.get('passkey')).settings;
  const passkeyKey = (sessionId: string) => `account:passkey:${sessionId}`;

  async function passkeyPage(reply: FastifyReply, status: number, signed: Signed, error?: string) {
    const challenge = await challenges.issue(challengeOwner(signed.session.id));
    await services.state.delete(passkeyKey(signed.session.id));
    await services.state.create(passkeyKey(signed.session.id), { challenge }, 5 * 60_000);
    const chosen = await passkeySettings();
    const options = await registrationOptions(
      relyingPartyOf(services.config.publicUrl, chosen.rpName),
      challenge,
      signed.user,
      await services.passkeyCredentials.list(signed.user.id),
      chosen,
    );
    return ctx.page(
      reply,
      status,
      'passkey-add',
      { webauthn: JSON.stringify(options) },
      signed,
      error ? { error } : {},
    );
  }

  app.get('/account/passkeys/new', async (req, reply) => {
    const signed = await ctx.signedIn(req);
    if (!signed) return reply.redirect(ctx.reauthUrl(), 303);
    const { refusal } = await ctx.check(req, signed, { kind: 'add-factor' });
    if (refusal) return securityPage(reply, 403, signed, { error: `account.refused.${refusal}` });
    return passkeyPage(reply, 200, signed);
  });

  app.post(
    '/account/passkeys/new',
    guarded({ kind: 'add-factor' }, async (req, reply, signed, form, factors) => {
      const started = (await services.state.get<{ challenge: string }>(passkeyKey(signed.session.id)))?.value;
      if (form.error || !started) return passkeyPage(reply, 400, signed, 'account.error.passkey-cancelled');
      const response = parseCredential(form.credential);
      if (!response) return passkeyPage(reply, 400, signed, 'account.error.passkey-refused');
      // the challenge is used up by this submission whatever follows: a replayed answer is refused
      if (!(await challenges.take(challengeOwner(signed.session.id), started.challenge)))
        return passkeyPage(reply, 400, signed, 'account.error.passkey-refused');
      const chosen = await passkeySettings();
      const added = await registerPasskey(services.passkeyCredentials, {
        rp: relyingPartyOf(services.config.publicUrl, chosen.rpName),
        challenge: started.challenge,
        response,
        requireUserVerification: chosen.userVerification === 'required',
        userId: signed.user.id,
        registered: () => factors.passkeys.length,
        maxCredentials: PASSKEY_DEFAULTS.maxCredentials,
        now: Date.now(),
        // the passkey and its event commit together
        commit: (insert) =>
          services.db.transaction().execute(async (trx) => {
            const stored = await insert(trx);
            await ctx.audit(req, signed.user, 'account.passkey-added', { credentialId: stored.id }, trx);
            return stored;
          }),
      });
      if (!added.ok && added.refused === 'attestation') {
        await ctx.audit(req, signed.user, 'account.passkey-refused', { reason: added.reason });
        return passkeyPage(reply, 400, signed, 'account.error.passkey-refused');
      }
      if (!added.ok && added.refused === 'too-many')
        return securityPage(reply, 409, signed, { error: 'account.error.passkey-too-many' });
      if (!added.ok) return passkeyPage(reply, 409, signed, 'account.error.passkey-refused');
      await services.state.delete(passkeyKey(signed.session.id));
      await ctx.notify(req, signed.user, factors, ['passkey']);
      return done(reply, 'account.done.passkey-added');
    }),
  );

  credentialRoutes(app, ctx, kit, {
    kind: 'passkey',
    path: 'passkeys',
    remove: (userId, id, within) => services.passkeyCredentials.remove(userId, id, within),
  });
}
