/**
 * SMS fraud defence (SMS pumping, toll fraud) for the sms-otp authenticator: its parts over the shared state store,
 * with the send challenge replaceable by another implementation of `SendChallenge` (a CAPTCHA service).
 */
import type { Keyring } from '../../../crypto/keyring.js';
import type { StateStore } from '../../../state/state-store.js';
import type { SendChallenge } from './challenge.js';
import { createConversionMonitor } from './conversion.js';
import type { FraudDefence } from './gate.js';
import { createHashcashChallenge } from './hashcash.js';
import { createSpendCap } from './spend.js';

export function createFraudDefence(state: StateStore, keyring: Keyring, challenge?: SendChallenge): FraudDefence {
  return {
    monitor: createConversionMonitor(state),
    spend: createSpendCap(state),
    challenge: challenge ?? createHashcashChallenge(state, keyring),
  };
}

export { answerChallenge, challengePage } from './answer.js';
export type { SendChallenge } from './challenge.js';
export { FraudConfigSchema } from './config.js';
export { countSend, countVerified, type FraudDefence, FraudEvent, screenSend, spendBudget } from './gate.js';
export { fraudMessages } from './messages.js';
export { fraudProblems } from './validate.js';
