/**
 * Who may do what with a token or a grant, beyond oidc-provider's defaults: introspection and revocation only by the
 * token's own client, client authentication only by the method the client is registered for, and the first-party
 * grant that stands in for a consent screen.
 */
import Provider, { type Client, errors, type Grant, type KoaContextWithOIDC } from 'oidc-provider';

/** Introspection: another client learns nothing about a token, not even that it exists (RFC 7662 §2.2). */
export async function introspectionAllowed(_ctx: KoaContextWithOIDC, client: Client, token: { clientId?: string }) {
  return token.clientId === client.clientId;
}

/**
 * Revocation: another client's token is left alone, and the answer is the same 200 as for an unknown token, so the
 * revocation endpoint is no oracle for other clients' tokens either (RFC 7009 §2.2 answers unknown tokens with 200).
 */
export async function revocationAllowed(_ctx: KoaContextWithOIDC, client: Client, token: { clientId?: string }) {
  return token.clientId === client.clientId;
}

/**
 * oidc-provider takes client_secret_basic and client_secret_post as one method: a client registered for either may
 * send its secret either way. Each client is held to the method it is registered for. The secret comparison is the
 * one step that runs once the method is known, and only for these two methods, so it is wrapped here (on this
 * provider's own Client class; other providers in the process are untouched).
 */
export function holdClientsToTheirAuthMethod(provider: Provider): void {
  const prototype = provider.Client.prototype;
  const compare = prototype.compareClientSecret;
  prototype.compareClientSecret = async function (this: Client, actual: string) {
    // the secret came in the body (client_secret) or in the Authorization header, never both (refused before); an
    // empty body field is no secret, as in oidc-provider's own reading
    const used = Provider.ctx?.oidc.params?.client_secret ? 'client_secret_post' : 'client_secret_basic';
    if (used !== this.clientAuthMethod)
      throw new errors.InvalidClientAuth(`the client is registered for ${this.clientAuthMethod}, not ${used}`);
    return compare.call(this, actual);
  };
}

/**
 * Stepgate's applications are first-party: consent is given by the administrator who configured the application,
 * so the grant always covers what the application asks for within its allowed scopes (oidc-provider has already
 * removed scopes the client may not use, and offline_access when it may not refresh). Because nothing is ever
 * missing from the grant, oidc-provider never asks for a consent interaction, and `prompt=consent` cannot send the
 * browser back to the login page in a loop.
 */
export async function loadFirstPartyGrant(ctx: KoaContextWithOIDC): Promise<Grant> {
  const { oidc } = ctx;
  const clientId = oidc.client!.clientId;
  const accountId = oidc.session!.accountId!;
  const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(clientId);
  const found = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  // a grant is reused only for the same client and account (a session may have changed user since)
  const reused = found && found.clientId === clientId && found.accountId === accountId;
  const grant = reused ? found : new oidc.provider.Grant({ clientId, accountId });
  let changed = !reused;

  const scopes = new Set(grant.getOIDCScopeEncountered().split(' '));
  const missingScopes = [...(oidc.requestParamOIDCScopes ?? []), 'openid'].filter((s) => !scopes.has(s));
  if (missingScopes.length > 0) {
    grant.addOIDCScope(missingScopes.join(' '));
    changed = true;
  }
  const claims = new Set(grant.getOIDCClaimsEncountered());
  const missingClaims = [...(oidc.requestParamClaims ?? [])].filter((c) => !claims.has(c));
  if (missingClaims.length > 0) {
    grant.addOIDCClaims(missingClaims);
    changed = true;
  }
  if (changed) await grant.save();
  return grant;
}
