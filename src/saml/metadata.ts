/**
 * The identity provider's metadata: one EntityDescriptor with an IDPSSODescriptor naming the signing certificates
 * (the current one first, then the retired ones still trusted), the NameID formats, and the SSO and SLO services
 * in both bindings.
 */
import { SAML_NAME_ID_FORMATS } from '../identity/saml-settings.js';
import { BINDING, NS } from './constants.js';
import { certificateBody, type SamlKeys } from './keys.js';
import { addElement, newDocument, serialize } from './xml.js';

export interface SamlEndpoints {
  entityId: string;
  sso: string;
  slo: string;
}

export function endpointsFor(publicUrl: string): SamlEndpoints {
  const base = publicUrl.replace(/\/$/, '');
  return { entityId: base, sso: `${base}/saml2/sso`, slo: `${base}/saml2/slo` };
}

export function buildMetadata(endpoints: SamlEndpoints, keys: SamlKeys): string {
  const doc = newDocument(NS.metadata, 'md:EntityDescriptor');
  const root = doc.documentElement!;
  root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:md', NS.metadata);
  root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:ds', NS.dsig);
  root.setAttribute('entityID', endpoints.entityId);
  const idp = addElement(root, NS.metadata, 'md:IDPSSODescriptor', {
    protocolSupportEnumeration: NS.protocol,
    WantAuthnRequestsSigned: 'false',
  });
  for (const pem of [keys.current.certificate, ...keys.previous]) {
    const descriptor = addElement(idp, NS.metadata, 'md:KeyDescriptor', { use: 'signing' });
    const info = addElement(descriptor, NS.dsig, 'ds:KeyInfo');
    const data = addElement(info, NS.dsig, 'ds:X509Data');
    addElement(data, NS.dsig, 'ds:X509Certificate', {}, certificateBody(pem));
  }
  for (const binding of [BINDING.redirect, BINDING.post])
    addElement(idp, NS.metadata, 'md:SingleLogoutService', { Binding: binding, Location: endpoints.slo });
  for (const format of SAML_NAME_ID_FORMATS) addElement(idp, NS.metadata, 'md:NameIDFormat', {}, format);
  for (const binding of [BINDING.redirect, BINDING.post])
    addElement(idp, NS.metadata, 'md:SingleSignOnService', { Binding: binding, Location: endpoints.sso });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(doc)}`;
}
