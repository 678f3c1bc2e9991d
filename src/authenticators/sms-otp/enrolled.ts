/**
 * Whether a user has SMS OTP, for a step that offers several options (the engine offers only those the user has):
 * a mobile number codes can be sent to, and SMS OTP not switched off by the user's Disable SMSOTP claim (when the
 * configuration honours it). A user who switched it off but has an authenticator app is so asked for the app, not
 * let through on a skipped SMS step.
 */
import { ClaimUri } from '../../identity/claim-uris.js';
import { claimValue } from '../../identity/users.js';
import type { Db } from '../../store/db.js';
import { normaliseStoredNumber } from './mobile.js';
import type { SmsOtpContext } from './state.js';

export async function hasSmsOtp(db: Db, ctx: SmsOtpContext): Promise<boolean> {
  const user = ctx.user;
  if (!user) return false;
  if (ctx.config.enableByUserClaim && /^\s*true\s*$/i.test((await claimValue(db, user, ClaimUri.smsOtpDisabled)) ?? ''))
    return false;
  const mobile = await claimValue(db, user, ClaimUri.mobile);
  return mobile !== undefined && normaliseStoredNumber(mobile, ctx.config) !== undefined;
}
