// What the home page shows, read from the assertion that node-saml has already validated (signature, audience,
// times, InResponseTo): the attributes and the authentication statement.

import type { Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import type { SamlUser } from './sessions.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

export function userFromProfile(profile: Profile): SamlUser {
  const xml = profile.getAssertionXml?.() ?? '';
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const attributes: SamlUser['attributes'] = [];
  const list = doc.getElementsByTagNameNS(SAML, 'Attribute');
  for (let i = 0; i < list.length; i++) {
    const attribute = list[i]!;
    const values: string[] = [];
    const valueNodes = attribute.getElementsByTagNameNS(SAML, 'AttributeValue');
    for (let j = 0; j < valueNodes.length; j++) values.push(valueNodes[j]!.textContent ?? '');
    attributes.push({ name: attribute.getAttribute('FriendlyName') || attribute.getAttribute('Name') || '', values });
  }
  const statement = doc.getElementsByTagNameNS(SAML, 'AuthnStatement')[0];
  const classRef = statement?.getElementsByTagNameNS(SAML, 'AuthnContextClassRef')[0]?.textContent ?? undefined;
  const user: SamlUser = {
    issuer: profile.issuer,
    nameId: profile.nameID,
    nameIdFormat: profile.nameIDFormat,
    attributes,
  };
  if (profile.sessionIndex) user.sessionIndex = profile.sessionIndex;
  if (classRef) user.authnContextClassRef = classRef;
  const instant = statement?.getAttribute('AuthnInstant');
  if (instant) user.authnInstant = instant;
  return user;
}
