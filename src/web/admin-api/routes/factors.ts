/**
 * A user's factors on one page for the console's profile: the mobile number and whether SMS OTP is switched off (the
 * guide's Disable SMSOTP claim), authenticator apps, passkeys, unused backup codes, the preferred MFA option, the lock;
 * and the resets the other routes lack: clearing the backup codes and setting the preferred option. Removing an app
 * or a passkey, new backup codes and unlocking have their own routes (totp.ts, passkeys.ts, users.ts).
 */
import { ClaimUri } from '../../../identity/claim-uris.js';
import { listLocalClaims } from '../../../identity/claims.js';
import { found } from '../../../identity/errors.js';
import { lastChosenOption } from '../../../identity/preferred-options.js';
import { claimsOf, getUserById, isLocked, setUserClaims, type User } from '../../../identity/users.js';
import { requireSecondFactor } from '../../json-api/auth.js';
import type { JsonApiServices as Services } from '../../json-api/services.js';
import { HttpProblem } from '../../problem.js';
import { announceFactorChange } from '../factor-notice.js';
import { type ApiRoute, route } from '../route.js';
import { IdParams } from '../schemas.js';
import { PreferredOptionBody, UserFactors } from './factors-schemas.js';
import { totpJson } from './totp.js';

const tag = 'Users';

export function factorRoutes(services: Services): ApiRoute[] {
  const { db, totpCredentials, passkeyCredentials, backupCodes, registry, identityProviders } = services;
  const load = async (id: string): Promise<User> => found(await getUserById(db, id), 'user', id);

  /** Why `option` is no option a sequence could offer, or undefined when it is one. */
  async function optionProblem(option: string): Promise<string | undefined> {
    const at = option.lastIndexOf(':');
    if (at < 0) return 'write idp:authenticator, e.g. smsOTP:sms-otp or :totp';
    const idp = option.slice(0, at);
    const id = option.slice(at + 1);
    const authenticator = registry.get(id);
    if (!authenticator) return `"${id}" is not an authenticator`;
    if (authenticator.descriptor.kind === 'local')
      return idp === '' ? undefined : `${id} is a local authenticator: write :${id}`;
    if (idp === '') return `${id} runs inside an identity provider: write <provider name>:${id}`;
    const provider = await identityProviders.getByName(idp);
    if (!provider) return `there is no identity provider "${idp}"`;
    if (!provider.authenticators.some((a) => a.type === id)) return `the identity provider ${idp} has no ${id}`;
    return undefined;
  }

  return [
    route({
      method: 'GET',
      url: '/users/:id/factors',
      operationId: 'getUserFactors',
      summary: 'Every factor of the user: mobile and SMS OTP, apps, passkeys, backup codes, preferred option, lock',
      tag,
      errors: [404],
      schema: { params: IdParams, response: UserFactors },
      async handler({ params }) {
        const user = await load(params.id);
        const now = Date.now();
        const claims = claimsOf(user, await listLocalClaims(db), now);
        const locked = isLocked(user, now);
        return {
          userId: user.id,
          username: user.username,
          mobile: claims[ClaimUri.mobile] ?? null,
          smsOtp: { disabled: /^true$/i.test(claims[ClaimUri.smsOtpDisabled] ?? '') },
          totp: (await totpCredentials.list(user.id)).map(totpJson),
          passkeys: (await passkeyCredentials.list(user.id)).map((c) => ({
            id: c.id,
            label: c.label,
            deviceType: c.deviceType,
            backedUp: c.backedUp,
            createdAt: c.createdAt,
            lastUsedAt: c.lastUsedAt,
          })),
          backupCodes: { remaining: await backupCodes.remaining(user.id) },
          preferredOption: {
            option: claims[ClaimUri.preferredMfaOption] ?? null,
            lastChosen: (await lastChosenOption(db, user.id)) ?? null,
          },
          locked,
          lockedUntil: locked ? user.lockedUntil : null,
        };
      },
    }),
    route({
      method: 'DELETE',
      url: '/users/:id/backup-codes',
      operationId: 'clearBackupCodes',
      summary: 'Remove every backup code of the user (used or not)',
      tag,
      status: 204,
      errors: [404],
      schema: { params: IdParams },
      async handler({ params, actor, audit, req }) {
        const user = await load(params.id);
        requireSecondFactor(actor, user, ['backup-codes']);
        const before = await backupCodes.remaining(user.id);
        await db.transaction().execute(async (trx) => {
          await backupCodes.replace(user.id, [], Date.now(), trx);
          await audit(
            'admin.user.clear-backup-codes',
            { targetUserId: user.id, targetUsername: user.username, unusedBefore: before },
            trx,
          );
        });
        await announceFactorChange(services, { actor, audit, req }, user, 'backup-codes');
      },
    }),
    route({
      method: 'PUT',
      url: '/users/:id/preferred-option',
      operationId: 'setPreferredOption',
      summary: 'Set (or, with an empty string, remove) the preferred MFA option a choice step starts with',
      tag,
      errors: [404],
      schema: { params: IdParams, body: PreferredOptionBody, response: UserFactors.properties.preferredOption },
      async handler({ params, body, audit }) {
        const user = await load(params.id);
        const option = body.option.trim();
        const problem = option === '' ? undefined : await optionProblem(option);
        if (problem) throw new HttpProblem('validation-failed', undefined, [{ field: 'option', message: problem }]);
        // it picks which of the user's own factors comes first, and changes none: no two-factor guard
        await db.transaction().execute(async (trx) => {
          await setUserClaims(trx, user.id, { [ClaimUri.preferredMfaOption]: option }, { asAdmin: true });
          await audit(
            'admin.user.set-preferred-option',
            { targetUserId: user.id, targetUsername: user.username, option: option || null },
            trx,
          );
        });
        return { option: option || null, lastChosen: (await lastChosenOption(db, user.id)) ?? null };
      },
    }),
  ];
}
