/**
 * The SAML 2.0 identity provider, without HTTP: what to do with an AuthnRequest (start a login, answer from the
 * SAML session, or answer with an error status), the Response for a finished or refused login, IdP-initiated SSO,
 * and Single Logout across the service providers of a session. The web plugin carries these decisions over the
 * bindings.
 */

import { ACR } from '../authn/acr.js';
import type { LoginCompletion, LoginRefusal, LoginRequirements } from '../authn/front-door.js';
import type { AuditLog } from '../identity/audit.js';
import { listLocalClaims } from '../identity/claims.js';
import type { Application } from '../identity/types.js';
import { claimsOf, getUserById, isLocked } from '../identity/users.js';
import type { StateStore } from '../state/state-store.js';
import type { Db } from '../store/db.js';
import { acceptableAcr, statedClass } from './authn-context.js';
import { NAMEID_UNSPECIFIED, STATUS } from './constants.js';
import type { SamlKeys } from './keys.js';
import {
  type AuthnRequest,
  type Binding,
  type Incoming,
  readAuthnRequest,
  readLogoutRequest,
  readLogoutResponse,
  type SamlApplication,
  verifyIncoming,
} from './messages.js';
import { endpointsFor } from './metadata.js';
import {
  buildErrorResponse,
  buildLoginResponse,
  buildLogoutRequest,
  buildLogoutResponse,
  samlId,
} from './responses.js';
import {
  createSamlState,
  type LogoutInProgress,
  type Participant,
  type PendingLogin,
  type SamlSession,
  SESSION_TTL_MS,
} from './state.js';
import { SamlError } from './xml.js';

export interface IdentityProviderDeps {
  db: Db;
  state: StateStore;
  audit: AuditLog;
  applications: {
    get(id: string): Promise<Application | undefined>;
    getBySamlIssuer(issuer: string): Promise<Application | undefined>;
  };
  publicUrl: string;
  keys: () => SamlKeys;
  loginTtlMs: number;
  clock?: () => number;
}

/** An auto-posted form to a service provider (HTTP-POST binding). */
export interface PostMessage {
  kind: 'post';
  url: string;
  param: 'SAMLResponse' | 'SAMLRequest';
  xml: string;
  relayState?: string | undefined;
}
/** A redirect carrying a signed message (HTTP-Redirect binding); the web layer encodes and signs the query. */
export interface RedirectMessage {
  kind: 'redirect';
  url: string;
  param: 'SAMLResponse' | 'SAMLRequest';
  xml: string;
  relayState?: string | undefined;
}
export type Outgoing = PostMessage | RedirectMessage;

export type SsoDecision =
  /** run the steps: the web layer starts the engine with these requirements and keeps the pending login */
  | { kind: 'login'; pending: PendingLogin; requirements: LoginRequirements }
  /** answer now (from the session, or with an error status) */
  | { kind: 'answer'; message: PostMessage; session?: SamlSession };

/** Factor strength an application's sequence asks for: two steps of different kinds mean two factors. */
function sequenceAcr(app: Application): string {
  return app.steps.length >= 2 ? ACR.twoFactors : ACR.oneFactor;
}

export function createIdentityProvider(deps: IdentityProviderDeps) {
  const clock = deps.clock ?? Date.now;
  const endpoints = endpointsFor(deps.publicUrl);
  const saml = createSamlState(deps.state, deps.loginTtlMs, clock);

  async function findServiceProvider(issuer: string): Promise<SamlApplication | undefined> {
    const app = await deps.applications.getBySamlIssuer(issuer);
    return app?.saml ? (app as SamlApplication) : undefined;
  }

  async function audit(event: string, app: Application | undefined, data: Record<string, unknown>, userId?: string) {
    await deps.audit.record({
      event,
      userId: userId ?? null,
      clientId: app?.clientId ?? null,
      data: { ...(app?.saml ? { issuer: app.saml.issuer } : {}), ...data },
    });
  }

  function errorAnswer(
    acsUrl: string,
    inResponseTo: string | undefined,
    relayState: string | undefined,
    subStatus: string,
    message: string,
  ): PostMessage {
    const xml = buildErrorResponse({
      idpEntityId: endpoints.entityId,
      destination: acsUrl,
      inResponseTo,
      // the service provider asked for something it may not have (a NameID format): Requester; else Stepgate cannot
      status: subStatus === STATUS.invalidNameIdPolicy ? STATUS.requester : STATUS.responder,
      subStatus,
      message,
      now: clock(),
      key: deps.keys().current,
    });
    return { kind: 'post', url: acsUrl, param: 'SAMLResponse', xml, relayState };
  }

  /** The NameID and the attribute profile of a user for an application; undefined when the user has no subject. */
  async function subjectOf(app: SamlApplication, accountId: string) {
    const user = await getUserById(deps.db, accountId);
    if (!user?.enabled || isLocked(user, clock())) return undefined;
    const localClaims = await listLocalClaims(deps.db);
    const claims = claimsOf(user, localClaims, clock());
    const nameId =
      app.subjectClaimUri === 'http://wso2.org/claims/username' ? user.username : claims[app.subjectClaimUri];
    if (!nameId) return undefined;
    const attributes: [string, string][] = [];
    if (app.saml.attributeProfile)
      for (const uri of app.requestedClaims) {
        const value = claims[uri];
        if (value !== undefined) attributes.push([uri, value]);
      }
    return { user, nameId, attributes };
  }

  async function assertionFor(
    app: SamlApplication,
    pending: Pick<PendingLogin, 'acsUrl' | 'requestId' | 'relayState' | 'requestedContext' | 'nameIdFormat'>,
    session: SamlSession,
    subject: NonNullable<Awaited<ReturnType<typeof subjectOf>>>,
  ): Promise<PostMessage> {
    const context = statedClass(pending.requestedContext, session.acr);
    if (!context)
      return errorAnswer(
        pending.acsUrl,
        pending.requestId,
        pending.relayState,
        STATUS.noAuthnContext,
        'The login did not reach the requested authentication context.',
      );
    const xml = await buildLoginResponse({
      idpEntityId: endpoints.entityId,
      audience: app.saml.issuer,
      acsUrl: pending.acsUrl,
      inResponseTo: pending.requestId,
      nameId: subject.nameId,
      nameIdFormat: app.saml.nameIdFormat,
      sessionIndex: session.id,
      authnInstant: session.authTime,
      sessionNotOnOrAfter: session.expiresAt,
      authnContextClass: context,
      attributes: subject.attributes,
      now: clock(),
      key: deps.keys().current,
      signResponse: app.saml.signResponses,
      encryptFor: app.saml.encryptAssertions ? app.saml.certificate : undefined,
    });
    return { kind: 'post', url: pending.acsUrl, param: 'SAMLResponse', xml, relayState: pending.relayState };
  }

  /** A session this application may use without a new login: alive, same factor strength as its sequence asks. */
  function reusable(app: Application, session: SamlSession | undefined): session is SamlSession {
    if (!session) return false;
    return sequenceAcr(app) !== ACR.twoFactors || session.acr === ACR.twoFactors;
  }

  async function answerFromSession(
    app: SamlApplication,
    pending: Omit<PendingLogin, 'loginId' | 'applicationId' | 'issuer'>,
    session: SamlSession,
  ): Promise<SsoDecision | undefined> {
    // the user may have been disabled, locked, or lost the subject value since the session began: a new login then
    const subject = await subjectOf(app, session.accountId);
    if (!subject) return undefined;
    const message = await assertionFor(app, pending, session, subject);
    const joined = await saml.join(session.id, {
      issuer: app.saml.issuer,
      applicationId: app.id,
      nameId: subject.nameId,
      nameIdFormat: app.saml.nameIdFormat,
    });
    await audit('saml.sso', app, { reused: true, acr: session.acr, sessionIndex: session.id }, session.accountId);
    return { kind: 'answer', message, ...(joined ? { session: joined } : {}) };
  }

  return {
    endpoints,
    findServiceProvider,
    /**
     * An AuthnRequest through either binding. Refusals that must not reach an unverified address (unknown service
     * provider, bad signature, unregistered ACS URL, replay, expiry) are thrown as SamlError: the web layer shows a
     * page and posts nothing.
     */
    async receiveAuthnRequest(incoming: Incoming, sessionId: string | undefined): Promise<SsoDecision> {
      const verified = await verifyIncoming(incoming, 'AuthnRequest', findServiceProvider);
      let request: AuthnRequest;
      try {
        request = readAuthnRequest(verified, endpoints.sso, clock());
      } catch (e) {
        if (e instanceof SamlError) await audit('saml.refused', verified.sp, { reason: e.reason });
        throw e;
      }
      const sp = verified.sp;
      if (!(await saml.firstUse(sp.saml.issuer, request.id))) {
        await audit('saml.refused', sp, { reason: 'replayed request', requestId: request.id });
        throw new SamlError('This SAML request was used already: start again from the application.', 403);
      }
      const relayState = incoming.relayState;
      if (request.nameIdFormat && request.nameIdFormat !== sp.saml.nameIdFormat)
        return {
          kind: 'answer',
          message: errorAnswer(
            request.acsUrl,
            request.id,
            relayState,
            STATUS.invalidNameIdPolicy,
            `This service provider's NameID format is ${sp.saml.nameIdFormat}.`,
          ),
        };
      const acceptable = acceptableAcr(request.requestedContext);
      if (acceptable.length === 0)
        return {
          kind: 'answer',
          message: errorAnswer(
            request.acsUrl,
            request.id,
            relayState,
            STATUS.noAuthnContext,
            'Stepgate cannot meet the requested authentication context.',
          ),
        };
      const common = {
        requestId: request.id,
        acsUrl: request.acsUrl,
        ...(relayState !== undefined ? { relayState } : {}),
        ...(request.requestedContext ? { requestedContext: request.requestedContext } : {}),
      };
      const session = await saml.session(sessionId);
      if (!request.forceAuthn && reusable(sp, session) && acceptable.includes(session.acr)) {
        const answered = await answerFromSession(sp, common, session);
        if (answered) return answered;
      }
      if (request.isPassive) {
        await audit('saml.refused', sp, { reason: 'passive request without a session', requestId: request.id });
        return {
          kind: 'answer',
          message: errorAnswer(request.acsUrl, request.id, relayState, STATUS.noPassive, 'The user is not logged in.'),
        };
      }
      const pending: PendingLogin = { loginId: samlId(), applicationId: sp.id, issuer: sp.saml.issuer, ...common };
      await saml.savePending(pending);
      return {
        kind: 'login',
        pending,
        requirements: { acceptableAcr: acceptable, ...(request.forceAuthn ? { forceAuthentication: true } : {}) },
      };
    },

    /** IdP-initiated SSO to a service provider that allows it: its default ACS URL, no InResponseTo. */
    async idpInitiated(
      issuer: string,
      relayState: string | undefined,
      sessionId: string | undefined,
    ): Promise<SsoDecision> {
      const sp = await findServiceProvider(issuer);
      if (!sp) throw new SamlError('This service provider is not registered with Stepgate.', 404);
      if (!sp.saml.idpInitiated) {
        await audit('saml.refused', sp, { reason: 'IdP-initiated SSO not allowed' });
        throw new SamlError('This service provider does not accept IdP-initiated logins.', 403);
      }
      const acsUrl = sp.saml.defaultAssertionConsumerUrl;
      if (!acsUrl) throw new SamlError('The service provider has no Assertion Consumer Service URL.', 403);
      const common = { acsUrl, ...(relayState !== undefined ? { relayState } : {}) };
      const session = await saml.session(sessionId);
      if (reusable(sp, session)) {
        const answered = await answerFromSession(sp, common, session);
        if (answered) return answered;
      }
      const pending: PendingLogin = { loginId: samlId(), applicationId: sp.id, issuer: sp.saml.issuer, ...common };
      await saml.savePending(pending);
      return { kind: 'login', pending, requirements: {} };
    },

    pending: (loginId: string) => saml.pending(loginId),
    session: (id: string | undefined) => saml.session(id),

    /**
     * Every step passed: a new SAML session (or the browser's session, when the same user logged in again) and the
     * Response. Undefined when the pending login is gone (used or expired).
     */
    async complete(
      completion: LoginCompletion,
      sessionId: string | undefined,
    ): Promise<{ message: PostMessage; session: SamlSession } | { error: string }> {
      const pending = await saml.takePending(completion.loginId);
      if (!pending)
        return { error: 'This login has expired or was already used. Go back to the application and start again.' };
      const app = await deps.applications.get(pending.applicationId);
      if (!app?.saml || app.saml.issuer !== pending.issuer)
        return { error: 'The application changed during the login. Go back to the application and start again.' };
      const sp = app as SamlApplication;
      const subject = await subjectOf(sp, completion.accountId);
      if (!subject) return { error: 'Your account cannot be used with this application.' };
      const participant: Participant = {
        issuer: sp.saml.issuer,
        applicationId: sp.id,
        nameId: subject.nameId,
        nameIdFormat: sp.saml.nameIdFormat,
      };
      const now = clock();
      const existing = await saml.session(sessionId);
      let session: SamlSession;
      if (existing && existing.accountId === completion.accountId) {
        // the same person again (ForceAuthn, a stronger login): the session keeps its service providers, takes the new login
        await saml.endSession(existing.id);
        session = {
          ...existing,
          id: samlId(),
          amr: completion.amr,
          acr: completion.acr,
          authTime: completion.authTime,
          participants: [...existing.participants.filter((p) => p.issuer !== participant.issuer), participant],
          expiresAt: now + SESSION_TTL_MS,
        };
      } else {
        session = {
          id: samlId(),
          accountId: completion.accountId,
          amr: completion.amr,
          acr: completion.acr,
          authTime: completion.authTime,
          participants: [participant],
          expiresAt: now + SESSION_TTL_MS,
        };
      }
      await saml.createSession(session);
      const message = await assertionFor(sp, pending, session, subject);
      await audit(
        'saml.sso',
        sp,
        { acr: completion.acr, amr: completion.amr, sessionIndex: session.id, loginId: completion.loginId },
        completion.accountId,
      );
      return { message, session };
    },

    /** The login ended without a user: the service provider gets the status for the reason. */
    async refuse(refusal: LoginRefusal): Promise<PostMessage | { error: string }> {
      const pending = await saml.takePending(refusal.loginId);
      if (!pending)
        return { error: 'This login has expired or was already used. Go back to the application and start again.' };
      const app = await deps.applications.get(pending.applicationId);
      if (!app?.saml)
        return { error: 'The application changed during the login. Go back to the application and start again.' };
      const status =
        refusal.reason === 'acr-unmet'
          ? STATUS.noAuthnContext
          : refusal.reason === 'interaction-required'
            ? STATUS.noPassive
            : STATUS.authnFailed;
      await audit('saml.refused', app, { reason: refusal.reason, loginId: refusal.loginId });
      return errorAnswer(pending.acsUrl, pending.requestId, pending.relayState, status, refusal.description);
    },

    /**
     * A LogoutRequest from a service provider: ends the session it names (by SessionIndex, or the browser's) and
     * starts telling the other service providers of that session. Returns the first message to send.
     */
    async receiveLogoutRequest(
      incoming: Incoming,
      cookieSessionId: string | undefined,
    ): Promise<{ next: Outgoing | undefined; endedSession?: string }> {
      const verified = await verifyIncoming(incoming, 'LogoutRequest', findServiceProvider);
      const request = readLogoutRequest(verified, endpoints.slo, clock());
      const sp = verified.sp;
      if (!(await saml.firstUse(sp.saml.issuer, request.id)))
        throw new SamlError('This SAML request was used already.', 403);
      const candidates = [...request.sessionIndexes, ...(cookieSessionId ? [cookieSessionId] : [])];
      let session: SamlSession | undefined;
      for (const id of candidates) {
        const s = await saml.session(id);
        if (s?.participants.some((p) => p.issuer === sp.saml.issuer && p.nameId === request.nameId)) {
          session = s;
          break;
        }
      }
      const logout: LogoutInProgress = {
        id: samlId(),
        initiator: {
          issuer: sp.saml.issuer,
          requestId: request.id,
          binding: incoming.binding,
          ...(incoming.relayState !== undefined ? { relayState: incoming.relayState } : {}),
        },
        pending: [],
        partial: false,
      };
      if (session) {
        logout.sessionIndex = session.id;
        await saml.endSession(session.id);
        logout.pending = session.participants.filter((p) => p.issuer !== sp.saml.issuer);
        await audit(
          'saml.logout',
          sp,
          { sessionIndex: session.id, others: logout.pending.map((p) => p.issuer) },
          session.accountId,
        );
      } else {
        await audit('saml.logout', sp, { sessionIndex: null, note: 'no matching session' });
      }
      await saml.startLogout(logout);
      return { next: await continueLogout(logout.id), ...(session ? { endedSession: session.id } : {}) };
    },

    /**
     * The browser's SAML session ends without Single Logout (an OIDC logout of the same browser): the next
     * AuthnRequest runs the steps again; the service providers keep their own sessions, as they would with an IdP
     * that has no Single Logout.
     */
    async endSessionQuietly(sessionId: string | undefined, reason: string): Promise<void> {
      const session = await saml.session(sessionId);
      if (!session) return;
      await saml.endSession(session.id);
      await audit(
        'saml.session-ended',
        undefined,
        { sessionIndex: session.id, reason, participants: session.participants.map((p) => p.issuer) },
        session.accountId,
      );
    },

    /** The user logs out at Stepgate: every service provider of the session is told, then the signed-out page. */
    async logoutEverywhere(sessionId: string | undefined): Promise<Outgoing | undefined> {
      const session = await saml.session(sessionId);
      if (!session) return undefined;
      await saml.endSession(session.id);
      const logout: LogoutInProgress = {
        id: samlId(),
        sessionIndex: session.id,
        pending: session.participants,
        partial: false,
      };
      await saml.startLogout(logout);
      await audit(
        'saml.logout',
        undefined,
        { sessionIndex: session.id, others: session.participants.map((p) => p.issuer) },
        session.accountId,
      );
      return continueLogout(logout.id);
    },

    /** A LogoutResponse from a service provider Stepgate asked to log out: on to the next one. */
    async receiveLogoutResponse(incoming: Incoming): Promise<Outgoing | undefined> {
      const verified = await verifyIncoming(incoming, 'LogoutResponse', findServiceProvider);
      const response = readLogoutResponse(verified, endpoints.slo, clock());
      const chainId = incoming.relayState;
      const record = chainId ? await saml.logout(chainId) : undefined;
      if (
        !record ||
        record.value.waitingFor?.issuer !== response.issuer ||
        record.value.waitingFor.requestId !== response.inResponseTo
      )
        throw new SamlError('This LogoutResponse answers no logout in progress.', 400);
      const logout = { ...record.value, partial: record.value.partial || response.status !== STATUS.success };
      delete logout.waitingFor;
      if (!(await saml.saveLogout(logout, record.version))) throw new SamlError('This logout moved on already.', 409);
      return continueLogout(logout.id);
    },
  };

  /**
   * The next step of a logout: a LogoutRequest to the next service provider that has Single Logout, or, when none
   * is left, the LogoutResponse to the one that started it (undefined when the user started it at Stepgate).
   */
  async function continueLogout(id: string): Promise<Outgoing | undefined> {
    for (;;) {
      const record = await saml.logout(id);
      if (!record) throw new SamlError('This logout has expired.', 410);
      const logout = record.value;
      const next = logout.pending[0];
      if (!next) {
        await saml.endLogout(id);
        return finalLogoutAnswer(logout);
      }
      const rest = { ...logout, pending: logout.pending.slice(1) };
      const app = await deps.applications.get(next.applicationId);
      const slo = app?.saml?.issuer === next.issuer ? app.saml.singleLogout : undefined;
      // a service provider without Single Logout is skipped (on a lost compare-and-set the loop reads again)
      if (!slo?.enabled || !slo.url) {
        await saml.saveLogout(rest, record.version);
        continue;
      }
      const binding: Binding = slo.binding === 'post' ? 'post' : 'redirect';
      const request = buildLogoutRequest(
        {
          idpEntityId: endpoints.entityId,
          destination: slo.url,
          nameId: next.nameId,
          nameIdFormat: next.nameIdFormat || NAMEID_UNSPECIFIED,
          sessionIndex: logout.sessionIndex ?? '',
          now: clock(),
          key: deps.keys().current,
        },
        binding === 'post',
      );
      if (
        !(await saml.saveLogout(
          { ...rest, waitingFor: { issuer: next.issuer, requestId: request.id } },
          record.version,
        ))
      )
        continue;
      return { kind: binding, url: slo.url, param: 'SAMLRequest', xml: request.xml, relayState: id };
    }
  }

  async function finalLogoutAnswer(logout: LogoutInProgress): Promise<Outgoing | undefined> {
    const initiator = logout.initiator;
    const app = initiator ? await findServiceProvider(initiator.issuer) : undefined;
    const slo = app?.saml.singleLogout;
    const url = slo?.responseUrl || slo?.url;
    if (!initiator || !app || !url) return undefined;
    const binding: Binding = slo?.binding === 'post' ? 'post' : initiator.binding;
    const xml = buildLogoutResponse(
      {
        idpEntityId: endpoints.entityId,
        destination: url,
        inResponseTo: initiator.requestId,
        status: STATUS.success,
        ...(logout.partial ? { subStatus: STATUS.partialLogout } : {}),
        now: clock(),
        key: deps.keys().current,
      },
      binding === 'post',
    );
    return { kind: binding, url, param: 'SAMLResponse', xml, relayState: initiator.relayState };
  }
}

export type SamlIdentityProvider = ReturnType<typeof createIdentityProvider>;
