/**
 * An admin removing one of a user's credentials (an authenticator app, a passkey): allowed only to a caller who
 * passed a second factor, the delete and its `admin.user.remove-<kind>` event commit together, a credential the user
 * does not have is 404, and the user hears of the change (announceFactorChange) once it committed.
 */
import type { User } from '../../identity/users.js';
import type { Db } from '../../store/db.js';
import { requireSecondFactor } from '../json-api/auth.js';
import type { JsonApiServices as Services } from '../json-api/services.js';
import { HttpProblem } from '../problem.js';
import { announceFactorChange } from './factor-notice.js';
import type { HandlerContext } from './route.js';

export interface RemovedFactor {
  kind: 'totp' | 'passkey';
  credentialId: string;
  /** deletes the user's credential in the transaction given; false when there was none */
  remove(userId: string, credentialId: string, within: Db): Promise<boolean>;
  /** how the 404 names what is missing, e.g. `authenticator app` */
  noun: string;
}

export async function removeUserFactor(
  services: Services,
  ctx: Pick<HandlerContext<never>, 'actor' | 'audit' | 'req'>,
  user: User,
  { kind, credentialId, remove, noun }: RemovedFactor,
): Promise<void> {
  requireSecondFactor(ctx.actor, user, [kind]);
  const removed = await services.db.transaction().execute(async (trx) => {
    if (!(await remove(user.id, credentialId, trx))) return false;
    await ctx.audit(
      `admin.user.remove-${kind}`,
      { targetUserId: user.id, targetUsername: user.username, credentialId },
      trx,
    );
    return true;
  });
  if (!removed) throw new HttpProblem('not-found', `The user has no ${noun} "${credentialId}".`);
  await announceFactorChange(services, ctx, user, kind);
}
