/**
 * The OIDC front door: oidc-provider's interactions start logins in the engine and take them back.
 *
 *   start    oidc-provider creates an interaction → `loginRequestOf` (the interactions.url hook in provider.ts)
 *   holds    the browser carries oidc-provider's interaction cookie for this login
 *   complete interactionResult with the login (account, amr, acr, auth time) → 303 to oidc-provider's resume URL
 *   refuse   interactionResult with the OAuth error of the refusal → 303, oidc-provider tells the application
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InteractionResults, default as Provider } from 'oidc-provider';
import type { LoginRefusalReason, LoginRequest, LoginRequirements } from '../authn/front-door.js';
import { parseUiLocales } from '../authn/messages-locale.js';
import type { FrontDoor } from '../web/front-doors.js';
import { OIDC_ROUTES } from './provider.js';

/** The OAuth error each refusal becomes (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6, RFC 9470). */
export const OAUTH_ERROR: Record<LoginRefusalReason, string> = {
  'acr-unmet': 'unmet_authentication_requirements',
  cancelled: 'access_denied',
  'interaction-required': 'login_required',
};

/** What oidc-provider knows of an interaction when it creates one: its parameters and why it prompts. */
export interface InteractionFacts {
  uid: string;
  params: Record<string, unknown>;
  prompt: { name: string; reasons: string[] };
}

/** An interaction in the engine's words: which application, and what it requires of the login. */
export function loginRequestOf(interaction: InteractionFacts, applicationId: string): LoginRequest {
  const acr = String(interaction.params.acr_values ?? '')
    .split(' ')
    .filter(Boolean);
  const uiLocales = parseUiLocales(interaction.params.ui_locales);
  const prompts = String(interaction.params.prompt ?? '').split(' ');
  const requirements: LoginRequirements = {
    ...(acr.length > 0 ? { acceptableAcr: acr } : {}),
    // prompt=login or a max_age the session is older than: the steps run again even with a session
    ...(interaction.prompt.reasons.some((r) => r === 'login_prompt' || r === 'max_age')
      ? { forceAuthentication: true }
      : {}),
    // oidc-provider answers prompt=none itself (login_required) before any interaction; kept for completeness
    ...(prompts.includes('none') ? { passive: true } : {}),
    ...(uiLocales.length > 0 ? { uiLocales } : {}),
  };
  return { loginId: interaction.uid, protocol: 'oidc', applicationId, requirements };
}

export function createOidcFrontDoor(provider: Provider): FrontDoor {
  const finish = (req: IncomingMessage, res: ServerResponse, result: InteractionResults) =>
    provider.interactionResult(req, res, result, { mergeWithLastSubmission: false });
  return {
    protocol: 'oidc',
    async holds(req, res, loginId) {
      try {
        return (await provider.interactionDetails(req, res)).uid === loginId;
      } catch {
        // no interaction cookie, or the interaction expired or was finished
        return false;
      }
    },
    async complete(req, res, completion) {
      const redirect = await finish(req, res, {
        login: {
          accountId: completion.accountId,
          amr: completion.amr,
          acr: completion.acr,
          remember: true,
          ts: Math.floor(completion.authTime / 1000),
        },
      });
      return { redirect };
    },
    async refuse(req, res, refusal) {
      const redirect = await finish(req, res, {
        error: OAUTH_ERROR[refusal.reason],
        error_description: refusal.description,
      });
      return { redirect };
    },
    // oidc-provider resumes every interaction at this URL: a late double submit lands where the winner went
    resumeUrl: (loginId) => `${OIDC_ROUTES.authorization}/${loginId}`,
  };
}
