/** `stepgate export`: the current setup in the apply format, with secrets left out (masked or omitted). */
import { stringify } from 'yaml';
import { createAuthenticatorSettings } from '../identity/authenticator-settings.js';
import { LOCAL_DIALECT } from '../identity/claim-uris.js';
import { listDialects, listLocalClaims, listMappings } from '../identity/claims.js';
import { listUsers } from '../identity/users.js';
import type { Services } from '../services.js';
import type { Setup } from './schema.js';

export async function exportSetup(s: Services): Promise<Setup> {
  const claims = (await listLocalClaims(s.db)).map((c) => ({
    uri: c.uri,
    displayName: c.displayName,
    ...(c.description ? { description: c.description } : {}),
    mappedAttribute: c.mappedAttribute,
    supportedByDefault: c.supportedByDefault,
    required: c.required,
    readOnly: c.readOnly,
    ...(c.regex ? { regex: c.regex } : {}),
    displayOrder: c.displayOrder,
  }));
  const claimMappings = [];
  for (const d of await listDialects(s.db)) {
    if (d.uri === LOCAL_DIALECT) continue;
    claimMappings.push(...(await listMappings(s.db, d.uri)));
  }
  const identityProviders = (await s.identityProviders.list()).map((idp) => {
    const masked = s.identityProviders.masked(idp);
    return {
      name: idp.name,
      displayName: idp.displayName,
      description: idp.description,
      enabled: idp.enabled,
      authenticators: masked.authenticators.map((a) => ({ type: a.type, enabled: a.enabled, config: a.config })),
    };
  });
  // the settings an operator saved; ones never saved follow the configuration file and stay out
  const store = createAuthenticatorSettings(s.db, s.config);
  const authenticators: NonNullable<Setup['authenticators']> = {};
  const totp = await store.get('totp');
  if (totp.updatedAt !== null) authenticators.totp = totp.settings;
  const passkey = await store.get('passkey');
  if (passkey.updatedAt !== null) authenticators.passkey = passkey.settings;
  const applications = (await s.applications.list()).map((a) => ({
    name: a.name,
    description: a.description,
    clientId: a.clientId,
    clientType: a.clientType,
    redirectUris: a.redirectUris,
    postLogoutRedirectUris: a.postLogoutRedirectUris,
    grantTypes: a.grantTypes,
    ...(a.tokenEndpointAuthMethod ? { tokenEndpointAuthMethod: a.tokenEndpointAuthMethod } : {}),
    extraScopes: a.extraScopes,
    subjectClaimUri: a.subjectClaimUri,
    requestedClaims: a.requestedClaims,
    steps: a.steps.map((st) => st.options.map((o) => (o.idp ? `${o.idp}:${o.authenticator}` : o.authenticator))),
    // the SP's certificate is public: it goes into the file like the rest of the SAML settings
    ...(a.saml ? { saml: a.saml } : {}),
  }));
  const users = [];
  const local = await listLocalClaims(s.db);
  for (let offset = 0; ; offset += 200) {
    const page = await listUsers(s.db, { offset, limit: 200 });
    for (const u of page.users) {
      const values: Record<string, string> = {};
      for (const c of local) {
        const v = u.attributes[c.mappedAttribute];
        if (v !== undefined && !c.readOnly) values[c.uri] = v;
      }
      users.push({ username: u.username, roles: u.roles, enabled: u.enabled, claims: values });
    }
    if (offset + 200 >= page.total) break;
  }
  return {
    claims,
    claimMappings,
    identityProviders,
    ...(Object.keys(authenticators).length > 0 ? { authenticators } : {}),
    applications,
    users,
  };
}

export async function exportSetupYaml(s: Services): Promise<string> {
  return `# Stepgate setup, exported ${new Date().toISOString()}. Secrets are left out (shown as ********).\n${stringify(await exportSetup(s))}`;
}
