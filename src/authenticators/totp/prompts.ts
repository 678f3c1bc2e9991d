/** The pages of the step as prompt values: the code page and the page that adds an app inside the login. */
import type { PromptOutcome } from '../../authn/authenticator.js';
import type { TotpConfig } from './config.js';
import type { EnrolmentDisplay } from './enrolment.js';

export function codePrompt(config: TotpConfig): PromptOutcome {
  return { kind: 'prompt', page: 'totp/code', data: { codeLength: config.digits } };
}

export function enrolPrompt(config: TotpConfig, display: EnrolmentDisplay): PromptOutcome {
  return {
    kind: 'prompt',
    page: 'totp/enrol',
    data: { codeLength: config.digits, ...display },
    // the secret is shown, never stored with the login: a reload rebuilds it from the sealed one in the step's state
    transient: ['otpauthUri', 'qrSvg', 'secret'],
  };
}
