/**
 * The SMS notice after an admin removed or reset one of someone else's second factors (an authenticator app, a
 * passkey, the backup codes): such a change leaves the mobile number as it was, so the notice goes to that number.
 */
import type { AuthenticatorKind } from '../../identity/authenticator-changes.js';
import { ClaimUri } from '../../identity/claim-uris.js';
import { listLocalClaims } from '../../identity/claims.js';
import { claimsOf, type User } from '../../identity/users.js';
import { announceAuthenticatorChange } from '../authenticator-notice.js';
import type { JsonApiServices as Services } from '../json-api/services.js';
import type { HandlerContext } from './route.js';

/** Call after the change committed; audited, and it never fails the write. */
export async function announceFactorChange(
  services: Services,
  ctx: Pick<HandlerContext<never>, 'actor' | 'audit' | 'req'>,
  user: User,
  change: AuthenticatorKind,
): Promise<void> {
  const mobile = claimsOf(user, await listLocalClaims(services.db))[ClaimUri.mobile];
  await announceAuthenticatorChange(services, {
    actor: ctx.actor,
    user,
    changes: [change],
    mobileBefore: mobile,
    mobileAfter: mobile,
    audit: (event, data) => ctx.audit(event, data),
    log: ctx.req.log,
  });
}
