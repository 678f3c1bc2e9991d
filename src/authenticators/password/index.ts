/** The local `password` authenticator: username and password against the internal user store, with lockout. */
import type { Authenticator, Outcome, PromptOutcome } from '../../authn/authenticator.js';
import type { LockPolicy } from '../../identity/lockout.js';
import type { PasswordHasher } from '../../identity/passwords.js';
import { MAX_PASSWORD_BYTES } from '../../identity/passwords.js';
import type { User } from '../../identity/users.js';
import { getPasswordHash, getUserByUsername, isLocked, replacePasswordHash } from '../../identity/users.js';
import type { Db } from '../../store/db.js';
import { passwordMessagesEs } from './messages.es.js';
import { passwordMessagesSi } from './messages.si.js';

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
    page: 'password',
    data: { applicationName, username },
  });

  /**
   * Every way of being wrong gets this one answer, so the page never tells which part was wrong or that a user exists;
   * a wrong password of a known user also counts toward its lock (the engine counts it, and conceals the lock).
   */
  const wrong = (applicationName: string, username: string, counted?: User): Outcome => ({
    kind: 'failure',
    reason: 'invalid-credentials',
    message: 'password.invalid',
    prompt: prompt(applicationName, username),
    ...(counted ? { counts: { user: counted, policy: deps.lockPolicy } } : {}),
  });

  return {
    descriptor: {
      id: 'password',
      displayName: 'Username & Password',
      kind: 'local',
      amr: ['pwd'],
      requiresUser: false,
      counter: 'password',
      messages: passwordMessages,
      translations: { es: passwordMessagesEs, si: passwordMessagesSi },
    },

    readConfig: () => ({}),

    async begin(ctx) {
      return prompt(ctx.application.name);
    },

    async continue(ctx, input) {
      const appName = ctx.application.name;
      const username = (input.username ?? '').trim();
      const password = input.password ?? '';
      if (!username || !password)
        return {
          kind: 'reprompt',
          reason: 'invalid-input',
          message: 'password.missing',
          prompt: prompt(appName, username),
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
        await ctx.audit('login.password.failed', { username, reason: 'wrong-password' });
        return wrong(appName, username, user);
      }
      if (deps.hasher.needsRehash(stored))
        await replacePasswordHash(deps.db, user.id, stored, await deps.hasher.hash(password));
      await ctx.audit('login.password.verified', { username });
      return { kind: 'success', user };
    },
  } satisfies Authenticator<Record<string, never>, undefined>;
}
