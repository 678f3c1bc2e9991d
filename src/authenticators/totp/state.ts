/** The TOTP step's own state in the login transaction, and what the step sees of the login. */
import type { StepContext } from '../../authn/authenticator.js';
import type { TotpConfig } from './config.js';
import type { PendingEnrolment } from './enrolment.js';

export interface TotpState {
  /** code: the user has an app and types its code; enrol: the user adds an app inside the login */
  phase: 'code' | 'enrol';
  /** the app being added (its secret sealed), until its first code comes back */
  enrolment?: PendingEnrolment;
}

export type TotpContext = StepContext<TotpConfig, TotpState>;
