/**
 * The Security page and its changes: the mobile number (a code to the new number, a notice to the old), SMS codes
 * on or off (the Disable SMSOTP claim), authenticator apps, passkeys and backup codes. Every change passes the rules
 * of account/rules.ts first (fresh sign-in, two-factor session, last factor), is audited, and tells the user by SMS.
 * A change answers 303 back to a page (POST/redirect/GET); a refusal or bad input answers 4xx with the page and why.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadFactors } from '../../account/factors.js';
import { cleanLabel, renameCredential } from '../../account/labels.js';
import { CODE_TTL_MS, createMobileChanges } from '../../account/mobile-change.js';
import type { AccountChange } from '../../account/rules.js';
import { numberCodeText, sendSms } from '../../account/sms.js';
import { createChallenges } from '../../authenticators/passkey/challenges.js';
import { PASSKEY_DEFAULTS } from '../../authenticators/passkey/index.js';
import {
  checkAttestation,
  parseCredential,
  registrationOptions,
  relyingPartyOf,
} from '../../authenticators/passkey/webauthn.js';
import { normaliseCode } from '../../authenticators/totp/code.js';
import { currentTotpConfig, ENROLMENT_TTL_MS } from '../../authenticators/totp/config.js';
import {
  confirmEnrolment,
  displayOf,
  type PendingEnrolment,
  prepareEnrolment,
} from '../../authenticators/totp/enrolment.js';
import { createAuthenticatorSettings } from '../../identity/authenticator-settings.js';
import { generateBackupCodes } from '../../identity/backup-codes.js';
import { ClaimUri } from '../../identity/claim-uris.js';
import { setUserClaims } from '../../identity/users.js';
import type { AccountContext, Signed } from './context.js';

type Form = Record<string, string>;
type Post = FastifyRequest<{ Params: Record<string, string> }>;

const MAX_TOTP_TRIES = 5;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function securityRoutes(app: FastifyInstance, ctx: AccountContext): void {
  const { services } = ctx;
  const mobiles = createMobileChanges(services);
  const challenges = createChallenges(services.state);
  const totpKey = (sessionId: string) => `account:totp:${sessionId}`;
  const totpTries = (sessionId: string) => `account:totp-tries:${sessionId}`;
  const codesKey = (sessionId: string) => `account:backup-codes:${sessionId}`;
  const challengeOwner = (sessionId: string) => `account:${sessionId}`;
  // the installation's settings as they are at each request (console › Authenticators), as at login
  const totpSettings = () => currentTotpConfig(services.db, services.config);
  const installation = createAuthenticatorSettings(services.db);
  const passkeySettings = async () => (await installation.get('passkey')).settings;

  async function securityPage(
    reply: FastifyReply,
    status: number,
    signed: Signed,
    notices: Parameters<AccountContext['page']>[5] = {},
  ) {
    const f = await loadFactors(services, signed.user);
    return ctx.page(
      reply,
      status,
      'security',
      {
        username: signed.user.username,
        twoFactor: signed.session.acr.endsWith(':2fa'),
        mobile: f.mobile,
        sms: f.sms !== undefined,
        smsOtpOn: f.smsOtpOn,
        smsOtpDisabled: f.smsOtpDisabled,
        userMaySwitchSmsOtp: f.userMaySwitchSmsOtp,
        totp: f.totp.map((c) => ({ id: c.id, label: c.label, added: date(c.createdAt) })),
        passkeys: f.passkeys.map((c, n) => ({
          id: c.id,
          n,
          label: c.label,
          added: date(c.createdAt),
          synced: c.backedUp,
        })),
        backupCodesLeft: f.backupCodesLeft,
      },
      signed,
      { params: { minutes: ctx.reauthWindowMinutes }, ...notices },
    );
  }

  /**
   * A POST of a signed-in user with a good CSRF token, after the rule check of `change`: the handler runs only when
   * no rule refuses. Without a session: to the sign-in (303); a bad token: 403; a refusal: 403 with the reason.
   */
  function guarded(
    change: AccountChange | ((form: Form) => AccountChange | undefined),
    handler: (
      req: Post,
      reply: FastifyReply,
      signed: Signed,
      form: Form,
      factors: Awaited<ReturnType<AccountContext['check']>>['factors'],
    ) => Promise<unknown>,
  ) {
    return async (req: Post, reply: FastifyReply) => {
      const form = formOf(req.body);
      const signed = await ctx.signedIn(req);
      if (!signed) return reply.redirect(ctx.reauthUrl(), 303);
      if (!form) return securityPage(reply, 400, signed, { error: 'account.error.bad-request' });
      if (!ctx.csrfOk(signed, form)) return ctx.message(reply, 403, 'account.error.csrf', signed);
      const wanted = typeof change === 'function' ? change(form) : change;
      if (!wanted) return securityPage(reply, 400, signed, { error: 'account.error.bad-request' });
      const { factors, refusal } = await ctx.check(req, signed, wanted);
      if (refusal) return securityPage(reply, 403, signed, { error: `account.refused.${refusal}` });
      return handler(req, reply, signed, form, factors);
    };
  }

  const done = (reply: FastifyReply, id: string, to = '/account/') =>
    reply.header('cache-control', 'no-store').redirect(`${to}?done=${encodeURIComponent(id)}`, 303);

  app.get('/account/', async (req, reply) => {
    const signed = await ctx.signedIn(req);
    if (!signed) return reply.redirect(ctx.reauthUrl(), 303);
    const q = req.query as Record<string, unknown>;
    return securityPage(reply, 200, signed, typeof q.done === 'string' ? { done: q.done } : {});
  });

  // ── mobile number ───────────────────────────────────────────────────────────────────────────────────────────────
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
      const sent = await sendSms(
        services.smsGateway,
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
      const confirmed = await mobiles.confirm(signed.user, signed.session.id, form.code ?? '');
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
      const before = factors.mobile;
      await ctx.audit(req, signed.user, 'account.mobile-changed', {
        from: before ? ctx.masked(before) : null,
        to: ctx.masked(confirmed.number),
      });
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
        });
        await ctx.audit(req, signed.user, off ? 'account.sms-otp-disabled' : 'account.sms-otp-enabled');
        await ctx.notify(req, signed.user, factors, ['sms-otp-disabled']);
        return done(reply, off ? 'account.done.sms-otp-off' : 'account.done.sms-otp-on');
      },
    ),
  );

  // ── authenticator apps ──────────────────────────────────────────────────────────────────────────────────────────
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
      const confirmed = await confirmEnrolment(
        services.totpCredentials,
        await totpSettings(),
        { ...pending, label },
        normaliseCode(form.code ?? ''),
        Date.now(),
      );
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
      await ctx.audit(req, signed.user, 'account.totp-added', { credentialId: confirmed.credential.id });
      await ctx.notify(req, signed.user, factors, ['totp']);
      return done(reply, 'account.done.totp-added');
    }),
  );

  app.post(
    '/account/totp/:id/rename',
    guarded({ kind: 'rename-factor' }, async (req, reply, signed, form) => {
      const label = cleanLabel(form.label ?? '');
      if (!label) return securityPage(reply, 400, signed, { error: 'account.error.label' });
      const id = req.params.id ?? '';
      if (!(await renameCredential(services.db, 'totp', signed.user.id, id, label)))
        return securityPage(reply, 404, signed, { error: 'account.error.not-found' });
      await ctx.audit(req, signed.user, 'account.totp-renamed', { credentialId: id });
      return done(reply, 'account.done.renamed');
    }),
  );

  app.post(
    '/account/totp/:id/remove',
    guarded({ kind: 'remove-factor', factor: 'totp' }, async (req, reply, signed, _form, factors) => {
      const id = req.params.id ?? '';
      if (!factors.totp.some((c) => c.id === id))
        return securityPage(reply, 404, signed, { error: 'account.error.not-found' });
      await services.db.transaction().execute(async (trx) => {
        await services.totpCredentials.remove(signed.user.id, id, trx);
      });
      await ctx.audit(req, signed.user, 'account.totp-removed', { credentialId: id });
      await ctx.notify(req, signed.user, factors, ['totp']);
      return done(reply, 'account.done.totp-removed');
    }),
  );

  // ── passkeys ────────────────────────────────────────────────────────────────────────────────────────────────────
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
      const checked = await checkAttestation(
        relyingPartyOf(services.config.publicUrl, chosen.rpName),
        started.challenge,
        response,
        chosen.userVerification === 'required',
      );
      if (!checked.ok) {
        await ctx.audit(req, signed.user, 'account.passkey-refused', { reason: checked.reason });
        return passkeyPage(reply, 400, signed, 'account.error.passkey-refused');
      }
      if (factors.passkeys.length >= PASSKEY_DEFAULTS.maxCredentials)
        return securityPage(reply, 409, signed, { error: 'account.error.passkey-too-many' });
      if (await services.passkeyCredentials.get(checked.id))
        return passkeyPage(reply, 409, signed, 'account.error.passkey-refused');
      const stored = await services.passkeyCredentials.add(
        signed.user.id,
        {
          id: checked.id,
          publicKey: checked.publicKey,
          signCount: checked.counter,
          transports: checked.transports,
          deviceType: checked.deviceType,
          backedUp: checked.backedUp,
          label: 'Passkey',
        },
        Date.now(),
      );
      await services.state.delete(passkeyKey(signed.session.id));
      await ctx.audit(req, signed.user, 'account.passkey-added', { credentialId: stored.id });
      await ctx.notify(req, signed.user, factors, ['passkey']);
      return done(reply, 'account.done.passkey-added');
    }),
  );

  app.post(
    '/account/passkeys/:id/rename',
    guarded({ kind: 'rename-factor' }, async (req, reply, signed, form) => {
      const label = cleanLabel(form.label ?? '');
      if (!label) return securityPage(reply, 400, signed, { error: 'account.error.label' });
      const id = req.params.id ?? '';
      if (!(await renameCredential(services.db, 'passkey', signed.user.id, id, label)))
        return securityPage(reply, 404, signed, { error: 'account.error.not-found' });
      await ctx.audit(req, signed.user, 'account.passkey-renamed', { credentialId: id });
      return done(reply, 'account.done.renamed');
    }),
  );

  app.post(
    '/account/passkeys/:id/remove',
    guarded({ kind: 'remove-factor', factor: 'passkey' }, async (req, reply, signed, _form, factors) => {
      const id = req.params.id ?? '';
      if (!factors.passkeys.some((c) => c.id === id) || !(await services.passkeyCredentials.remove(signed.user.id, id)))
        return securityPage(reply, 404, signed, { error: 'account.error.not-found' });
      await ctx.audit(req, signed.user, 'account.passkey-removed', { credentialId: id });
      await ctx.notify(req, signed.user, factors, ['passkey']);
      return done(reply, 'account.done.passkey-removed');
    }),
  );

  // ── backup codes ────────────────────────────────────────────────────────────────────────────────────────────────
  app.post(
    '/account/backup-codes',
    guarded({ kind: 'backup-codes' }, async (req, reply, signed, _form, factors) => {
      const codes = generateBackupCodes();
      await services.db.transaction().execute(async (trx) => {
        await services.backupCodes.replace(signed.user.id, codes, Date.now(), trx);
      });
      // shown once: the page after the redirect reads them and deletes them (sealed while they wait)
      const id = randomBytes(12).toString('base64url');
      await services.state.delete(codesKey(signed.session.id));
      await services.state.create(
        codesKey(signed.session.id),
        { id, sealed: services.keyring.seal(JSON.stringify(codes), 'account-backup-codes') },
        5 * 60_000,
      );
      await ctx.audit(req, signed.user, 'account.backup-codes-regenerated', { count: codes.length });
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

/** A urlencoded form whose every field is one string; undefined otherwise (a field sent twice is malformed). */
export function formOf(body: unknown): Form | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const out: Form = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}
