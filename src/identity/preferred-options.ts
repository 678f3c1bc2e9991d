/**
 * The option a user last chose in a step that offers several (`idp:authenticator`, e.g. `smsOTP:sms-otp`, `:totp`):
 * WSO2 7's "preferred MFA option". The next login with such a step starts with it; the user can still switch.
 */
import type { Db } from '../store/db.js';

export async function preferredOption(db: Db, userId: string): Promise<string | undefined> {
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
