/**
 * Starting the step: gather the facts about the user, let the rules decide, then skip, refuse, show the capture page,
 * or send the first code. Runs once per login step; a reload re-shows the last page without coming back here.
 */
import type { Outcome } from '../../authn/authenticator.js';
import { ClaimUri } from '../../identity/claim-uris.js';
import { claimValue, getUserById, isLocked } from '../../identity/users.js';
import type { Db } from '../../store/db.js';
import { decide, type Facts } from './decide.js';
import { maskMobile } from './mask.js';
import { normaliseStoredNumber } from './mobile.js';
import { afterSend, fatal, lockedOutcome } from './outcomes.js';
import { capturePrompt } from './prompts.js';
import { AuditEvent } from './reasons.js';
import { type SendDeps, sendCode } from './send.js';
import type { SmsOtpContext, SmsOtpState } from './state.js';

export interface BeginDeps extends SendDeps {
  db: Db;
}

const isTrue = (value: string | undefined) => value !== undefined && /^\s*true\s*$/i.test(value);

export async function begin(deps: BeginDeps, ctx: SmsOtpContext): Promise<Outcome> {
  const config = ctx.config;
  const user = ctx.user ? await getUserById(deps.db, ctx.user.id) : undefined;
  const mobile = user ? await claimValue(deps.db, user, ClaimUri.mobile) : undefined;
  const number = mobile ? normaliseStoredNumber(mobile, config) : undefined;
  const facts: Facts = {
    userInStore: user !== undefined,
    disabled: user !== undefined && !user.enabled,
    locked: user !== undefined && isLocked(user, ctx.now),
    disabledByUser:
      config.enableByUserClaim &&
      user !== undefined &&
      isTrue(await claimValue(deps.db, user, ClaimUri.smsOtpDisabled)),
    mandatory: config.mandatory,
    hasMobile: mobile !== undefined && mobile.trim() !== '',
    mobileUsable: number !== undefined,
    captureEnabled: config.captureMobile,
  };
  const { rule, action } = decide(facts);
  switch (action.kind) {
    case 'skip':
      await ctx.audit(AuditEvent.skipped, { reason: rule });
      return { kind: 'skip', reason: rule };
    case 'refuse':
      await ctx.audit(AuditEvent.failed, { reason: rule });
      return rule === 'account-locked' && user?.lockedUntil
        ? lockedOutcome(user.lockedUntil, ctx.now)
        : fatal(action.reason, action.message);
    case 'capture': {
      ctx.state = { phase: 'capture', sends: 0 } satisfies SmsOtpState;
      return capturePrompt(config);
    }
    case 'send': {
      const s: SmsOtpState = { phase: 'code', sends: 0 };
      const to = { ...number!, masked: maskMobile(number!.e164, config.mask) };
      const sent = await sendCode(deps, ctx, config, s, to);
      const outcome = afterSend(config, s, sent, ctx.now);
      ctx.state = { ...s };
      return outcome;
    }
  }
}
