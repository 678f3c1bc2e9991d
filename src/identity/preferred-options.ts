/**
 * Which option a step that offers several starts with (`idp:authenticator`, e.g. `smsOTP:sms-otp`, `:totp`): the
 * user's preferred MFA option claim (WSO2 7's `preferredMFAOption`, set by an administrator), else the option the user
 * last chose in such a step. The user can still switch; a preference the step does not offer shows the choice.
 */
import type { Db } from '../store/db.js';
import { ClaimUri } from './claim-uris.js';
import { listLocalClaims } from './claims.js';

/** The option to start with: the preferred MFA option claim when set, else the last choice. */
export async function preferredOption(db: Db, userId: string): Promise<string | undefined> {
  return (await declaredOption(db, userId)) ?? (await lastChosenOption(db, userId));
}

/** The preferred MFA option claim's value, read where its local claim maps it (an admin may remap the claim). */
export async function declaredOption(db: Db, userId: string): Promise<string | undefined> {
  const claim = (await listLocalClaims(db)).find((c) => c.uri === ClaimUri.preferredMfaOption);
  if (!claim) return undefined;
  const row = await db
    .selectFrom('user_attributes')
    .select('value')
    .where('user_id', '=', userId)
    .where('name', '=', claim.mappedAttribute)
    .executeTakeFirst();
  return row?.value.trim() || undefined;
}

/** The option the user last chose in a step that offered several. */
export async function lastChosenOption(db: Db, userId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('preferred_options')
    .select('option')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.option;
}

export async function rememberOption(db: Db, userId: string, option: string, now = Date.now()): Promise<void> {
  // from the users row: a user deleted meanwhile leaves nothing to remember (and no foreign-key error)
  await db
    .insertInto('preferred_options')
    .columns(['user_id', 'option', 'updated_at'])
    .expression(
      db
        .selectFrom('users')
        .select((eb) => ['id', eb.val(option).as('option'), eb.val(now).as('updated_at')])
        .where('id', '=', userId),
    )
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ option, updated_at: now }))
    .execute();
}
