/**
 * The local `passkey` authenticator (WebAuthn): its descriptor and its step. With no user yet (a first step) it asks
 * for any discoverable passkey of this site and the credential names its user; after an earlier step it asks for one
 * of that user's passkeys, or, when they have none, adds one inside the login (same guards as adding an app: the
 * engine offers a not-set-up option only when the step has no other option the user has; never for a locked or
 * disabled account). Each page carries a fresh single-use challenge; wrong or refused assertions are limited per
 * login and never counted toward the lock (a signature is not a guess at a secret).
 */
import type { Authenticator, AuthenticatorDescriptor, Outcome, StepContext } from '../../authn/authenticator.js';
import { createAuthenticatorSettings } from '../../identity/authenticator-settings.js';
import { getUserById, isLocked, type User } from '../../identity/users.js';
import type { StateStore } from '../../state/state-store.js';
import type { Db } from '../../store/db.js';
import { CHALLENGE_TTL_MS, createChallenges } from './challenges.js';
import { createPasskeyCredentialStore, type PasskeyCredentialStore } from './credentials.js';
import { type PasskeyMessageId, passkeyMessages, passkeyTranslations } from './messages.js';
import { registerPasskey } from './registration.js';
import {
  amrOf,
  authenticationOptions,
  checkAssertion,
  parseCredential,
  registrationOptions,
  relyingPartyOf,
} from './webauthn.js';

export interface PasskeyConfig {
  /** offer to add a passkey inside the login to a user who has none */
  enrolAtLogin: boolean;
  /** refused or cancelled passkey attempts one login may make */
  maxAttemptsPerLogin: number;
  /** passkeys one user may have */
  maxCredentials: number;
}

export const PASSKEY_DEFAULTS: PasskeyConfig = { enrolAtLogin: true, maxAttemptsPerLogin: 5, maxCredentials: 10 };

export interface PasskeyState {
  phase: 'get' | 'register';
  challenge: string;
}

type Ctx = StepContext<PasskeyConfig, PasskeyState>;

export interface PasskeyAuthenticatorDeps {
  db: Db;
  state: StateStore;
  credentials?: PasskeyCredentialStore;
  passkey?: Partial<PasskeyConfig>;
}

export const passkeyDescriptor = {
  id: 'passkey',
  displayName: 'Passkey',
  kind: 'local',
  amr: ['hwk'],
  // a discoverable passkey names its user: it can be a sequence's first step
  requiresUser: false,
  messages: passkeyMessages,
  translations: passkeyTranslations,
} satisfies AuthenticatorDescriptor;

const fatal = (
  reason: 'user-locked' | 'user-disabled' | 'not-enrolled' | 'limit-reached' | 'too-many-attempts',
  message: PasskeyMessageId,
  params?: Record<string, number>,
): Outcome => ({
  kind: 'fatal',
  reason,
  message,
  ...(params ? { params } : {}),
});

function lockedOutcome(user: User, now: number): Outcome {
  const minutes = Math.max(1, Math.ceil((user.lockedUntil! - now) / 60_000));
  return fatal('user-locked', 'passkey.locked', { minutes });
}

export function createPasskeyAuthenticator(deps: PasskeyAuthenticatorDeps) {
  const credentials = deps.credentials ?? createPasskeyCredentialStore(deps.db);
  const challenges = createChallenges(deps.state);
  const settings: PasskeyConfig = { ...PASSKEY_DEFAULTS, ...deps.passkey };
  const installation = createAuthenticatorSettings(deps.db);
  /** the installation's WebAuthn choices as they are now (console › Authenticators › Passkey) */
  const webauthn = async () => (await installation.get('passkey')).settings;

  /** A page with a fresh challenge: the user's passkeys (or any, with no user), or adding one. */
  async function page(ctx: Ctx, phase: 'get' | 'register'): Promise<Outcome> {
    const chosen = await webauthn();
    const rp = relyingPartyOf(ctx.publicUrl, chosen.rpName);
    const challenge = await challenges.issue(ctx.loginId);
    ctx.state = { phase, challenge };
    if (phase === 'get') {
      const allow = ctx.user ? await credentials.list(ctx.user.id) : undefined;
      const options = await authenticationOptions(rp, challenge, allow, chosen);
      return {
        kind: 'prompt',
        page: 'passkey/get',
        data: { webauthn: JSON.stringify(options), identified: !!ctx.user },
      };
    }
    const user = ctx.user!;
    const options = await registrationOptions(rp, challenge, user, await credentials.list(user.id), chosen);
    await ctx.audit('passkey.enrolment-started', { via: 'login' });
    return { kind: 'prompt', page: 'passkey/register', data: { webauthn: JSON.stringify(options) } };
  }

  async function begin(ctx: Ctx): Promise<Outcome> {
    const user = ctx.user;
    if (!user) return page(ctx, 'get');
    if (!user.enabled) return fatal('user-disabled', 'passkey.user-disabled');
    if (isLocked(user, ctx.now)) return lockedOutcome(user, ctx.now);
    if (await credentials.has(user.id)) return page(ctx, 'get');
    if (!settings.enrolAtLogin) {
      await ctx.audit('passkey.failed', { reason: 'not-enrolled' });
      return fatal('not-enrolled', 'passkey.not-enrolled');
    }
    return page(ctx, 'register');
  }

  /** A refused attempt: the page again with a new challenge, or the end of the login when this login's tries are spent. */
  async function refused(ctx: Ctx, reason: string, message: PasskeyMessageId, detail?: string): Promise<Outcome> {
    await ctx.audit('passkey.failed', { reason, ...(detail ? { detail } : {}) });
    const tries = await deps.state.increment(`passkey:try:${ctx.loginId}`, CHALLENGE_TTL_MS * 6);
    if (tries >= settings.maxAttemptsPerLogin) return fatal('too-many-attempts', 'passkey.too-many-attempts');
    const again = await page(ctx, ctx.state?.phase === 'register' ? 'register' : 'get');
    return {
      kind: 'failure',
      reason: 'invalid-credentials',
      message,
      ...(again.kind === 'prompt' ? { prompt: again } : {}),
    };
  }

  async function continueStep(ctx: Ctx, input: Record<string, string>): Promise<Outcome> {
    if (ctx.user && !ctx.user.enabled) return fatal('user-disabled', 'passkey.user-disabled');
    if (ctx.user && isLocked(ctx.user, ctx.now)) return lockedOutcome(ctx.user, ctx.now);
    const state = ctx.state;
    if (!state) return begin(ctx);
    if (input.error) return refused(ctx, 'cancelled', 'passkey.cancelled');
    const response = parseCredential(input.credential);
    if (!response) return { kind: 'reprompt', reason: 'invalid-input', message: 'passkey.missing' };
    // the challenge is used up by this submission whatever follows: a replay of the same answer is refused
    if (!(await challenges.take(ctx.loginId, state.challenge)))
      return refused(ctx, 'challenge-used', 'passkey.expired');
    const chosen = await webauthn();
    const rp = relyingPartyOf(ctx.publicUrl, chosen.rpName);
    const requireUserVerification = chosen.userVerification === 'required';

    if (state.phase === 'register') {
      const user = ctx.user;
      if (!user) return begin(ctx);
      const added = await registerPasskey(credentials, {
        rp,
        challenge: state.challenge,
        response,
        requireUserVerification,
        userId: user.id,
        registered: async () => (await credentials.list(user.id)).length,
        maxCredentials: settings.maxCredentials,
        now: ctx.now,
      });
      if (!added.ok && added.refused === 'attestation')
        return refused(ctx, added.reason, 'passkey.register-refused', added.detail);
      if (!added.ok && added.refused === 'too-many') return fatal('limit-reached', 'passkey.too-many-credentials');
      if (!added.ok) return refused(ctx, 'credential-exists', 'passkey.register-refused');
      const { stored, checked } = added;
      await ctx.audit('passkey.enrolled', { credentialId: stored.id, via: 'login' });
      await ctx.audit('passkey.verified', { credentialId: stored.id });
      return { kind: 'success', user, amr: amrOf(checked.deviceType, checked.userVerified) };
    }

    const credential = await credentials.get(response.id as string);
    if (!credential) return refused(ctx, 'unknown-credential', 'passkey.refused');
    if (ctx.user && credential.userId !== ctx.user.id) return refused(ctx, 'other-user', 'passkey.refused');
    const handle = (response.response as Record<string, unknown>).userHandle;
    if (
      typeof handle === 'string' &&
      handle !== '' &&
      Buffer.from(handle, 'base64url').toString() !== credential.userId
    )
      return refused(ctx, 'user-handle-mismatch', 'passkey.refused');
    const checked = await checkAssertion(rp, state.challenge, response, credential, requireUserVerification);
    if (!checked.ok) return refused(ctx, checked.reason, 'passkey.refused', checked.detail);
    // one winner per counter value, on every node (0 → 0 for authenticators without a counter)
    if (!(await credentials.used(credential.id, credential.signCount, checked.newCounter, ctx.now)))
      return refused(ctx, 'sign-count-regression', 'passkey.refused');
    const user = ctx.user ?? (await getUserById(deps.db, credential.userId));
    if (!user) return refused(ctx, 'unknown-user', 'passkey.refused');
    if (!user.enabled) return fatal('user-disabled', 'passkey.user-disabled');
    if (isLocked(user, ctx.now)) return lockedOutcome(user, ctx.now);
    await ctx.audit('passkey.verified', { credentialId: credential.id });
    return { kind: 'success', user, amr: amrOf(checked.deviceType, checked.userVerified) };
  }

  return {
    descriptor: passkeyDescriptor,
    readConfig: () => settings,
    begin,
    continue: continueStep,
    enrolled: async (ctx) => (ctx.user ? credentials.has(ctx.user.id) : true),
  } satisfies Authenticator<PasskeyConfig, PasskeyState>;
}

export { createPasskeyCredentialStore, type PasskeyCredentialStore } from './credentials.js';
