/** The local `password` authenticator: username and password against the internal user store, with lockout. */
import type { Authenticator, Outcome, PromptOutcome } from '../../authn/authenticator.js';
import { type LockPolicy, recordFailure, resetFailures } from '../../identity/lockout.js';
import type { PasswordHasher } from '../../identity/passwords.js';
import { MAX_PASSWORD_BYTES } from '../../identity/passwords.js';
import { getPasswordHash, getUserByUsername, isLocked, replacePasswordHash } from '../../identity/users.js';
import type { Db } from '../../store/db.js';

export const passwordMessages = {
  'password.invalid': 'The username or password is incorrect.',
  'password.missing': 'Enter your username and password.',
} as const;

export interface PasswordAuthenticatorDeps {
  db: Db;
  hasher: PasswordHasher;
  lockPolicy: LockPolicy;
}

export function createPasswordAuthenticator(deps: PasswordAuthenticatorDeps) {
  const prompt = (applicationName: string, username = ''): PromptOutcome => ({
    kind: 'prompt',
    view: 'password',
    data: { applicationName, username },
  });

  /** Every way of being wrong gets this one answer, so the page never tells which part was wrong or that a user exists. */
  const wrong = (applicationName: string, username: string): Outcome => ({
    kind: 'failure',
    reason: 'invalid-credentials',
    message: 'password.invalid',
    fatal: false,
    retry: { ...prompt(applicationName, username), status: 401 },
  });

  return {
    descriptor: {
      id: 'password',
      displayName: 'Username & Password',
      kind: 'local',
      amr: ['pwd'],
      messages: passwordMessages,
    },

    async begin(ctx) {
      return prompt(ctx.application.name);
    },

    async continue(ctx, input) {
      const appName = ctx.application.name;
      const username = (input.username ?? '').trim();
      const password = input.password ?? '';
      if (!username || !password)
        return {
          kind: 'failure',
          reason: 'invalid-input',
          message: 'password.missing',
          fatal: false,
          retry: { ...prompt(appName, username), status: 400 },
        };
      if (username.length > 255 || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
        await deps.hasher.verifyDummy(password);
        return wrong(appName, '');
      }
      const user = await getUserByUsername(deps.db, username);
      const stored = user ? await getPasswordHash(deps.db, user.id) : null;
      if (!user || !stored) {
        await deps.hasher.verifyDummy(password);
        await ctx.audit('login.password.failed', { username, reason: 'unknown-user' });
        return wrong(appName, username);
      }
      const ok = await deps.hasher.verify(stored, password);
      if (!user.enabled || isLocked(user, ctx.now)) {
        await ctx.audit('login.password.failed', { username, reason: user.enabled ? 'locked' : 'disabled' });
        return wrong(appName, username);
      }
      if (!ok) {
        const result = await recordFailure(deps.db, user.id, 'password', deps.lockPolicy, ctx.now);
        await ctx.audit('login.password.failed', { username, reason: 'wrong-password', failures: result.count });
        if (result.locked)
          await ctx.audit('account.locked', {
            username,
            reason: 'MAX_PASSWORD_ATTEMPTS_EXCEEDED',
            until: result.lockedUntil,
          });
        return wrong(appName, username);
      }
      if (user.failedPasswordCount > 0) await resetFailures(deps.db, user.id, 'password');
      if (deps.hasher.needsRehash(stored))
        await replacePasswordHash(deps.db, user.id, stored, await deps.hasher.hash(password));
      await ctx.audit('login.password.verified', { username });
      return { kind: 'success', user };
    },
  } satisfies Authenticator;
}
