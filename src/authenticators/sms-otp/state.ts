/**
 * The step state this authenticator keeps in the login transaction (persisted by the engine with compare-and-set).
 * Times are absolute epoch milliseconds, so a reload of the page can show the right time left.
 *
 *   capture ──(valid number, SMS sent)──▶ code ◀──(resend)──┐
 *      │                                   │  └─────────────┘
 *      └──(send failed / limit)──▶ not-sent ──(try again)──▶ code
 */
import type { StepContext } from '../../authn/authenticator.js';
import type { SmsOtpConfig } from './config.js';

export type SmsOtpPhase = 'capture' | 'code' | 'not-sent';

export interface ActiveOtp {
  /** random id of this code: its hash and its attempt counters are bound to it */
  id: string;
  /** HMAC of (login id, code id, code) */
  hash: string;
  sentAt: number;
  expiresAt: number;
}

export interface SmsOtpState {
  phase: SmsOtpPhase;
  /** E.164 number the codes of this login go to */
  mobile?: string;
  maskedMobile?: string;
  /** ISO country of that number, for the allow-list on every resend */
  country?: string;
  /** number typed on the capture page; saved to the profile only after a correct SMS code */
  capturedMobile?: string;
  /** the live code; absent before the first send and once it is dead (too many wrong tries, expired) */
  otp?: ActiveOtp;
  /** which try counter submissions take a slot from: the id of the last code sent, kept after that code dies */
  attemptsId?: string;
  /** SMS sends attempted in this login, the first included */
  sends: number;
  lastSentAt?: number;
  /** a send waiting for this challenge to be passed (fraud/challenge.ts); the number it goes to is `mobile` */
  challenge?: { id: string; expiresAt: number };
}

/** The step's state as saved, or a fresh one (the engine keeps it; begin always saves one before a code is asked for). */
export function stateOf(saved: SmsOtpState | undefined): SmsOtpState {
  return { phase: 'code', sends: 0, ...saved };
}

/** What the step sees of the login, with its configuration and this state typed. */
export type SmsOtpContext = StepContext<SmsOtpConfig, SmsOtpState>;
