// Reads the identity provider's signing certificates from its SAML metadata, so the sample trusts exactly what
// the IdP publishes (and follows a key rotation) instead of a certificate pasted into its configuration.
import { DOMParser } from '@xmldom/xmldom';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

export interface IdpMetadata {
  entityId: string;
  signingCertificates: string[];
  ssoRedirectUrl?: string;
  ssoPostUrl?: string;
  sloRedirectUrl?: string;
}

const BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
};

export function parseIdpMetadata(xml: string): IdpMetadata {
  if (/<!DOCTYPE/i.test(xml)) throw new Error('IdP metadata must not carry a DOCTYPE');
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== MD || root.localName !== 'EntityDescriptor')
    throw new Error('IdP metadata is not a SAML EntityDescriptor');
  const idp = root.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  if (!idp) throw new Error('IdP metadata has no IDPSSODescriptor');
  const signingCertificates: string[] = [];
  const keys = idp.getElementsByTagNameNS(MD, 'KeyDescriptor');
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    const certs = key.getElementsByTagNameNS(DS, 'X509Certificate');
    for (let j = 0; j < certs.length; j++) {
      const text = (certs[j]!.textContent ?? '').replace(/\s+/g, '');
      if (text) signingCertificates.push(text);
    }
  }
  if (signingCertificates.length === 0) throw new Error('IdP metadata names no signing certificate');
  const service = (name: string, binding: string) => {
    const list = idp.getElementsByTagNameNS(MD, name);
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.getAttribute('Binding') === binding) return list[i]!.getAttribute('Location') ?? undefined;
    }
    return undefined;
  };
  const result: IdpMetadata = { entityId: root.getAttribute('entityID') ?? '', signingCertificates };
  const ssoRedirectUrl = service('SingleSignOnService', BINDING.redirect);
  const ssoPostUrl = service('SingleSignOnService', BINDING.post);
  const sloRedirectUrl = service('SingleLogoutService', BINDING.redirect);
  if (ssoRedirectUrl) result.ssoRedirectUrl = ssoRedirectUrl;
  if (ssoPostUrl) result.ssoPostUrl = ssoPostUrl;
  if (sloRedirectUrl) result.sloRedirectUrl = sloRedirectUrl;
  return result;
}

/** Fetches the metadata, keeping it for a minute: the sample may start before the IdP and sees rotations soon. */
export function idpMetadataSource(metadataUrl: string, ttlMs = 60_000) {
  let cached: { at: number; value: IdpMetadata } | undefined;
  return async function load(): Promise<IdpMetadata> {
    if (cached && Date.now() - cached.at < ttlMs) return cached.value;
    const response = await fetch(metadataUrl, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`IdP metadata at ${metadataUrl} answered ${response.status}`);
    const value = parseIdpMetadata(await response.text());
    cached = { at: Date.now(), value };
    return value;
  };
}
