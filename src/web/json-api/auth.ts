/**
 * Bearer authentication for the JSON APIs (admin API and SCIM): the token must be one Stepgate itself issued (oidc-provider's
 * opaque access or client-credentials token, not expired), carry the `stepgate:admin` scope, belong to an application
 * that may still ask for that scope, and — for a user's token — belong to an enabled, unlocked user with role `admin`.
 * A user's token also says how strong its login was (acr, amr), for the writes that change someone's authenticators.
 *
 *   read header → find token → reject sender-constrained → check client → check scope → check user
 */

import type Provider from 'oidc-provider';
import { ACR } from '../../authn/acr.js';
import type { ApplicationStore } from '../../identity/applications.js';
import { AUTHENTICATOR_LABELS, type AuthenticatorKind } from '../../identity/authenticator-changes.js';
import { getUserById, isLocked } from '../../identity/users.js';
import { ADMIN_SCOPE } from '../../oidc/provider.js';
import type { Db } from '../../store/db.js';
import { HttpProblem } from '../problem.js';

export const ADMIN_ROLE = 'admin';

export type Actor =
  | { kind: 'client'; clientId: string; scopes: string[] }
  | {
      kind: 'user';
      clientId: string;
      scopes: string[];
      userId: string;
      username: string;
      roles: string[];
      /** the acr of the login behind the token; undefined for a token issued before Stepgate recorded it */
      acr: string | undefined;
      amr: string[];
    };

const REALM = 'Bearer realm="stepgate"';

function unauthorized(detail: string, error?: 'invalid_token'): HttpProblem {
  return new HttpProblem('unauthorized', detail, undefined, {
    'www-authenticate': error ? `${REALM}, error="${error}"` : REALM,
  });
}

function forbidden(detail: string, insufficientScope = false): HttpProblem {
  return new HttpProblem(
    'forbidden',
    detail,
    undefined,
    insufficientScope ? { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${ADMIN_SCOPE}"` } : {},
  );
}

/** The token in `Authorization: Bearer <token>`, or undefined when the header is absent or malformed. */
function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i.exec(header?.trim() ?? '');
  return m && m[1]!.length <= 1024 ? m[1] : undefined;
}

/** What bearer authentication reads: the tokens oidc-provider issued, the applications and the users. */
export interface BearerAuthDeps {
  provider: Provider;
  applications: ApplicationStore;
  db: Db;
}

export function createBearerAuth(services: BearerAuthDeps) {
  const { provider } = services;

  async function findToken(value: string) {
    const access = await provider.AccessToken.find(value);
    if (access) {
      // recorded at issue by the provider's extraTokenClaims: the factors of the login the token came from
      const extra = (access.extra ?? {}) as { acr?: unknown; amr?: unknown };
      return {
        scope: access.scope,
        clientId: access.clientId,
        accountId: access.accountId,
        constrained: access.isSenderConstrained(),
        acr: typeof extra.acr === 'string' ? extra.acr : undefined,
        amr: Array.isArray(extra.amr) ? extra.amr.filter((m): m is string => typeof m === 'string') : [],
      };
    }
    const cc = await provider.ClientCredentials.find(value);
    if (cc)
      return {
        scope: cc.scope,
        clientId: cc.clientId,
        accountId: undefined,
        constrained: cc.isSenderConstrained(),
        acr: undefined,
        amr: [],
      };
    return undefined;
  }

  /** The caller, or an HttpProblem (401 / 403) thrown with the matching WWW-Authenticate header. */
  return async function authenticate(header: string | undefined): Promise<Actor> {
    if (!header) throw unauthorized('A bearer token is required.');
    const value = bearerToken(header);
    if (!value) throw unauthorized('The Authorization header must be "Bearer <token>".', 'invalid_token');
    const token = await findToken(value);
    if (!token?.clientId) throw unauthorized('The token is unknown or expired.', 'invalid_token');
    // a DPoP- or mTLS-bound token presented as a plain bearer token would bypass its binding
    if (token.constrained) throw unauthorized('Sender-constrained tokens are not accepted here.', 'invalid_token');
    const application = await services.applications.getByClientId(token.clientId);
    if (!application) throw unauthorized('The token belongs to an application that no longer exists.', 'invalid_token');
    const scopes = (token.scope ?? '').split(' ').filter((s) => s !== '');
    if (!scopes.includes(ADMIN_SCOPE) || !application.extraScopes.includes(ADMIN_SCOPE)) {
      throw forbidden(`The token lacks the ${ADMIN_SCOPE} scope.`, true);
    }
    if (!token.accountId) return { kind: 'client', clientId: token.clientId, scopes };
    const user = await getUserById(services.db, token.accountId);
    if (!user) throw unauthorized('The token belongs to a user that no longer exists.', 'invalid_token');
    if (!user.enabled || isLocked(user)) throw forbidden('The user is disabled or locked.');
    if (!user.roles.includes(ADMIN_ROLE)) throw forbidden(`The user does not have the ${ADMIN_ROLE} role.`);
    return {
      kind: 'user',
      clientId: token.clientId,
      scopes,
      userId: user.id,
      username: user.username,
      roles: user.roles,
      acr: token.acr,
      amr: token.amr,
    };
  };
}

/**
 * Refuses a write that changes a user's authenticators unless the caller may make it. A user's token needs a login
 * that passed two factors, for their own authenticators and for anyone else's: otherwise one stolen password would
 * mint the second factor (backup codes, a new number, SMS OTP switched off) for any account. An automation client's
 * token (client credentials) may: no person's password stands behind it, its secret is the credential, and each
 * change it makes to another user is audited and announced to that user.
 */
export function requireSecondFactor(
  actor: Actor,
  target: { id: string; username: string },
  changes: AuthenticatorKind[],
): void {
  if (changes.length === 0 || actor.kind === 'client') return;
  const whose = target.id === actor.userId ? 'your' : `${target.username}'s`;
  requireTwoFactorSignIn(actor, `Changing ${whose} ${changes.map((c) => AUTHENTICATOR_LABELS[c]).join(', ')}`);
}

/**
 * The same rule for what would hand out that power another way: an application that may ask for the admin scope is
 * an admin credential (by client credentials it is an automation client; by its redirect URIs it receives admins'
 * two-factor codes), so creating, changing, deleting or re-keying one needs two factors as well.
 */
export function requireTwoFactorSignIn(actor: Actor, what: string): void {
  if (actor.kind === 'client' || actor.acr === ACR.twoFactors) return;
  throw new HttpProblem(
    'second-factor-required',
    `${what} needs a sign-in that passed two factors (acr ${ACR.twoFactors}); this token's sign-in passed ` +
      `${actor.acr === ACR.oneFactor ? 'one' : 'an unknown number of factors'}. Sign in again with SMS OTP.`,
  );
}

/** Whether an application may ask for the admin scope: the console, an admin tool, an automation client. */
export function isAdminApplication(app: { extraScopes?: readonly string[] | undefined }): boolean {
  return app.extraScopes?.includes(ADMIN_SCOPE) ?? false;
}

export type BearerAuth = ReturnType<typeof createBearerAuth>;
