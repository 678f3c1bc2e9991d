/**
 * The OpenID Provider: oidc-provider configured over Stepgate's applications, users, claims and keys.
 * Logins happen in Stepgate's step engine (interactions); this file only describes the protocol side.
 */
import Provider, { type AdapterPayload, type Configuration, errors, interactionPolicy } from 'oidc-provider';
import { ACR } from '../authn/acr.js';
import type { LoginRequest } from '../authn/front-door.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Application, ApplicationStore } from '../identity/applications.js';
import { OIDC_DIALECT } from '../identity/claim-uris.js';
import { listLocalClaims, listMappings } from '../identity/claims.js';
import { isReservedClaim } from '../identity/reserved-claims.js';
import { claimsOf, getUserById, isLocked, type User } from '../identity/users.js';
import type { Db } from '../store/db.js';
import { createAdapterFactory } from './adapter.js';
import { loginRequestOf } from './front-door.js';
import { loadKeys } from './keys.js';
import {
  holdClientsToTheirAuthMethod,
  introspectionAllowed,
  loadFirstPartyGrant,
  revocationAllowed,
} from './policies.js';

export const ADMIN_SCOPE = 'stepgate:admin';

export const OIDC_ROUTES = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  userinfo: '/oidc/me',
  jwks: '/oidc/jwks',
  end_session: '/oidc/session/end',
  revocation: '/oidc/token/revocation',
  introspection: '/oidc/token/introspection',
  code_verification: '/oidc/device',
  device_authorization: '/oidc/device/auth',
  pushed_authorization_request: '/oidc/request',
  registration: '/oidc/reg',
  backchannel_authentication: '/oidc/backchannel',
  challenge: '/oidc/challenge',
} as const;

export interface ProviderDeps {
  db: Db;
  keyring: Keyring;
  applications: ApplicationStore;
  issuer: string;
  interactionTtlSeconds: number;
  /** renders oidc-provider's own error and logout pages in Stepgate's look (the web layer gives them) */
  pages: ProviderPages;
  /** the engine's start: each new interaction starts a login (authn/engine.ts, through the OIDC front door) */
  startLogin(request: LoginRequest): Promise<unknown>;
}

/** The pages oidc-provider shows itself, as the web layer renders them. */
export interface ProviderPages {
  error(out: { error?: string; error_description?: string }): string;
  logout(form: string): string;
  loggedOut(): string;
}

/**
 * The provider's pages, given later: the composition root makes the provider before the web layer made its page
 * renderer, and the web layer installs its pages with `use` when it builds the app. Until then the pages are plain.
 */
export interface DeferredPages extends ProviderPages {
  use(pages: ProviderPages): void;
}

export function deferredPages(): DeferredPages {
  let current: ProviderPages = {
    error: (out) => `<p>${escapeHtml(out.error_description ?? out.error ?? 'error')}</p>`,
    logout: (form) => `${form}<button form="op.logoutForm" type="submit">Log out</button>`,
    loggedOut: () => '<p>Logged out.</p>',
  };
  return {
    error: (out) => current.error(out),
    logout: (form) => current.logout(form),
    loggedOut: () => current.loggedOut(),
    use(pages) {
      current = pages;
    },
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The client metadata oidc-provider needs for one application. */
async function clientMetadata(apps: ApplicationStore, clientId: string): Promise<AdapterPayload | undefined> {
  const app = await apps.getByClientId(clientId);
  // an application without a grant type speaks SAML only: it is no OIDC client (invalid_client, never a login)
  if (!app || app.grantTypes.length === 0) return undefined;
  const secret = app.clientType === 'confidential' ? await apps.clientSecret(app.id) : undefined;
  return {
    client_id: app.clientId,
    ...(secret ? { client_secret: secret } : {}),
    client_name: app.name,
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    grant_types: app.grantTypes,
    response_types: app.grantTypes.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method:
      app.clientType === 'public' ? 'none' : (app.tokenEndpointAuthMethod ?? 'client_secret_basic'),
    scope: ['openid', 'profile', 'email', 'phone', 'offline_access', ...app.extraScopes].join(' '),
    // oidc-provider always sets sub to the session's account id; its pairwise hook is the one place where a
    // per-application subject can be computed, so applications with a login use it for "sub = subject claim".
    // (oidc-provider needs a sector_identifier_uri when redirect URIs span hosts; such applications get the user id.)
    subject_type:
      app.grantTypes.includes('authorization_code') && new Set(app.redirectUris.map((u) => new URL(u).host)).size === 1
        ? 'pairwise'
        : 'public',
  };
}

/** Factor strength an application's sequence asks for: two steps of different kinds mean two factors. */
function requiredAcr(app: Application): string {
  return app.steps.length >= 2 ? ACR.twoFactors : ACR.oneFactor;
}

export async function createProvider(deps: ProviderDeps): Promise<Provider> {
  // oidc-provider asks for an account's claims and then for its subject within one request: read them once
  const accounts = new WeakMap<
    object,
    Map<string, Promise<{ user: User; local: Record<string, string> } | undefined>>
  >();
  function accountOf(ctx: object, id: string) {
    let byId = accounts.get(ctx);
    if (!byId) {
      byId = new Map();
      accounts.set(ctx, byId);
    }
    let account = byId.get(id);
    if (!account) {
      account = getUserById(deps.db, id).then(async (user) =>
        user ? { user, local: claimsOf(user, await listLocalClaims(deps.db)) } : undefined,
      );
      byId.set(id, account);
    }
    return account;
  }

  const { jwks, cookieKeys } = await loadKeys(deps.db, deps.keyring);
  const Adapter = createAdapterFactory(deps.db, (id) => clientMetadata(deps.applications, id));

  const policy = interactionPolicy.base();
  const login = policy.get('login')!;
  // An existing session is reused only when it passed as many factors as this application's sequence asks for.
  login.checks.add(
    new interactionPolicy.Check(
      'sequence_not_satisfied',
      'the session did not pass every step of this application',
      async (ctx) => {
        const app = await deps.applications.getByClientId(ctx.oidc.client!.clientId);
        if (!app) return interactionPolicy.Check.REQUEST_PROMPT;
        // a login that just ran this sequence is its answer, even when a step was skipped (SMS OTP disabled by the user)
        if (ctx.oidc.result?.login) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        const sessionAcr = ctx.oidc.session?.acr;
        if (requiredAcr(app) === ACR.twoFactors && sessionAcr !== ACR.twoFactors)
          return interactionPolicy.Check.REQUEST_PROMPT;
        return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      },
    ),
  );

  // consent is given by configuring the application (loadFirstPartyGrant); an explicit prompt=consent is answered by
  // that standing grant instead of an interaction our login pages would treat as a new login (an endless loop)
  policy.get('consent')!.checks.remove('consent_prompt');

  const configuration: Configuration = {
    adapter: Adapter,
    jwks: { keys: jwks },
    cookies: {
      keys: cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    routes: OIDC_ROUTES,
    scopes: ['openid', 'profile', 'email', 'phone', 'offline_access', ADMIN_SCOPE],
    claims: {
      openid: ['sub', 'amr', 'acr'],
      profile: ['preferred_username', 'given_name', 'family_name', 'name'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
    },
    acrValues: [ACR.oneFactor, ACR.twoFactors],
    // every application uses the authorization code flow: implicit and hybrid response types are not offered at all
    responseTypes: ['code'],
    // the methods applications can be registered for (public clients: none). oidc-provider takes client_secret_basic
    // and client_secret_post as one method and accepts either; policies.ts holds each client to its own
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      userinfo: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = deps.pages.logout(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = deps.pages.loggedOut();
        },
      },
    },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 3600,
      ClientCredentials: 600,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      Interaction: deps.interactionTtlSeconds,
      Session: 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    interactions: {
      policy,
      // the OIDC front door starts the engine's login as the interaction is created, so the login pages only run it
      url: async (ctx, interaction) => {
        const app = await deps.applications.getByClientId(ctx.oidc.client!.clientId);
        // an application deleted since this request began gets no login: the page says the login expired
        if (app) await deps.startLogin(loginRequestOf(interaction, app.id));
        return `/interaction/${interaction.uid}`;
      },
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // every refresh gives a new refresh token; presenting a used one again revokes the whole grant (oidc-provider), and
    // the adapter's consume is atomic, so two concurrent refreshes with one token cannot both win
    rotateRefreshToken: true,
    // the acr and amr of the login behind an access token, kept with the token when it is issued (from the code or
    // refresh token it was exchanged for), so the admin API can tell a two-factor login from a one-factor one
    extraTokenClaims: async (ctx) => {
      const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
      return source?.acr ? { acr: source.acr, amr: source.amr ?? [] } : undefined;
    },
    loadExistingGrant: loadFirstPartyGrant,
    findAccount: async (ctx, id) => {
      const account = await accountOf(ctx, id);
      // a disabled or locked account gets no new tokens, not even through an existing session or a refresh token
      if (!account?.user.enabled || isLocked(account.user)) return undefined;
      return {
        accountId: id,
        async claims() {
          const clientId = ctx.oidc.client?.clientId;
          const app = clientId ? await deps.applications.getByClientId(clientId) : undefined;
          // sub is replaced by the pairwise hook below; here only the requested claims, through the OIDC dialect
          const out: Record<string, unknown> = { sub: id };
          if (app) {
            const requested = new Set(app.requestedClaims);
            for (const m of await listMappings(deps.db, OIDC_DIALECT)) {
              const value = account.local[m.localClaimUri];
              // a reserved name (acr, sub, …) mapped before such mappings were refused never carries profile data
              if (requested.has(m.localClaimUri) && value !== undefined && !isReservedClaim(m.externalClaim))
                out[m.externalClaim] = value;
            }
          }
          return out as { sub: string };
        },
      };
    },
    subjectTypes: ['public', 'pairwise'],
    // sub is the value of the application's subject claim (the seed picks the mobile number)
    pairwiseIdentifier: async (ctx, accountId, client) => {
      const [app, account] = await Promise.all([
        deps.applications.getByClientId(client.clientId),
        accountOf(ctx, accountId),
      ]);
      if (!app) return accountId;
      const subject = account?.local[app.subjectClaimUri];
      // a user whose subject value was removed after their login gets no token at all, never one with the internal
      // id as sub (the application would see a new person); the engine refuses such a login with a page already
      if (!subject) throw new errors.AccessDenied('the user has no value for this application’s subject claim');
      return subject;
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = deps.pages.error(out);
    },
  };

  const provider = new Provider(deps.issuer, configuration);
  holdClientsToTheirAuthMethod(provider);
  return provider;
}
