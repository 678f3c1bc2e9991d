/**
 * The local `totp` authenticator ("Authenticator app", RFC 6238): its descriptor (data the console and the
 * validators read) and its wiring to begin / continue / enrolled. The settings are the deployment's `totp` section
 * with the installation's saved settings over it (identity/authenticator-settings.ts), read again at every step.
 */
import type { Authenticator, AuthenticatorDescriptor } from '../../authn/authenticator.js';
import type { Keyring } from '../../crypto/keyring.js';
import type { StateStore } from '../../state/state-store.js';
import type { Db } from '../../store/db.js';
import { createTotpAttempts } from './attempts.js';
import { begin } from './begin.js';
import { currentTotpConfig, type TotpConfig } from './config.js';
import { continueStep } from './continue.js';
import { createTotpCredentialStore, type TotpCredentialStore } from './credentials.js';
import { displayOf } from './enrolment.js';
import { totpMessages, totpTranslations } from './messages.js';
import { enrolPrompt } from './prompts.js';
import type { TotpContext, TotpState } from './state.js';

export interface TotpAuthenticatorDeps {
  config: { loginTransactionTtlSeconds: number; totp: TotpConfig };
  db: Db;
  keyring: Keyring;
  state: StateStore;
  /** the one credential store (the admin API uses the same) */
  credentials?: TotpCredentialStore;
}

export const totpDescriptor = {
  id: 'totp',
  displayName: 'Authenticator app',
  kind: 'local',
  amr: ['otp'],
  // a code proves possession of the app of a user an earlier step identified; it never identifies anyone itself
  requiresUser: true,
  // wrong codes lock the account on the same counter as wrong SMS codes: two second factors, one guess budget; the
  // lock names the app, as WSO2's TOTP authenticator does
  counter: 'otp',
  lockReason: 'MAX_TOTP_ATTEMPTS_EXCEEDED',
  messages: totpMessages,
  translations: totpTranslations,
} satisfies AuthenticatorDescriptor;

export function createTotpAuthenticator(deps: TotpAuthenticatorDeps) {
  const credentials = deps.credentials ?? createTotpCredentialStore(deps.db, deps.keyring);
  const wired = {
    credentials,
    attempts: createTotpAttempts(deps.state),
    loginTtlMs: deps.config.loginTransactionTtlSeconds * 1000,
  };
  const fileSettings = deps.config.totp;
  /** the step's settings as they are now: a change saved in the console applies to the next step of any login */
  const current = async (ctx: TotpContext) => {
    const config = await currentTotpConfig(deps.db, deps.config);
    // an app keeps the digits it was set up with: the code page names those when all of the user's apps agree
    const digits = new Set((ctx.user ? await credentials.list(ctx.user.id) : []).map((a) => a.digits));
    ctx.config = digits.size === 1 ? { ...config, digits: [...digits][0]! } : config;
    return ctx;
  };
  return {
    descriptor: totpDescriptor,
    // a local authenticator: its settings are the installation's (read per step above), not an identity provider's
    readConfig: () => fileSettings,
    begin: async (ctx) => begin(wired, await current(ctx)),
    continue: async (ctx, input) => continueStep(wired, await current(ctx), input),
    enrolled: async (ctx) => (ctx.user ? credentials.has(ctx.user.id) : false),
    // the page that adds an app, again, from the sealed secret in the step's state (a reload; a page after a notice)
    async redisplay(ctx) {
      const pending = ctx.state?.phase === 'enrol' ? ctx.state.enrolment : undefined;
      if (!pending || !ctx.user) return undefined;
      const { config } = await current(ctx);
      return enrolPrompt(config, await displayOf(credentials, config, pending, ctx.user.username, ctx.publicUrl));
    },
  } satisfies Authenticator<TotpConfig, TotpState>;
}

export { createTotpCredentialStore, type TotpCredentialStore } from './credentials.js';
