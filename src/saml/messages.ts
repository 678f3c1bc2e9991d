/**
 * Reading what service providers send: AuthnRequest, LogoutRequest and LogoutResponse, through either binding.
 * Order matters: parse safely → find the service provider by Issuer → check the signature (required when the
 * provider is set to sign) → read every field from the signed XML only → check times, destination and addresses.
 */
import type { Document, Element } from '@xmldom/xmldom';
import type { Application } from '../identity/types.js';
import type { Comparison, RequestedAuthnContext } from './authn-context.js';
import { BINDING, CLOCK_SKEW_MS, NAMEID_UNSPECIFIED, NS, REQUEST_MAX_AGE_MS } from './constants.js';
import { rootSignature, verifyEnveloped, verifyRedirectSignature } from './signature.js';
import { booleanAttribute, childElements, onlyChild, parseXml, SamlError, textOf, timeAttribute } from './xml.js';

export type Binding = 'redirect' | 'post';

export interface Incoming {
  binding: Binding;
  /** the decoded XML */
  xml: string;
  /** the request URL as received (the Redirect binding's signature covers its raw query) */
  url: string;
  param: 'SAMLRequest' | 'SAMLResponse';
  relayState?: string | undefined;
}

export type SamlApplication = Application & { saml: NonNullable<Application['saml']> };
export type FindServiceProvider = (issuer: string) => Promise<SamlApplication | undefined>;

export interface Verified {
  /** the document to read: as the signature covers it when signed */
  doc: Document;
  root: Element;
  sp: SamlApplication;
  signed: boolean;
}

const ROOTS = { AuthnRequest: true, LogoutRequest: true, LogoutResponse: true } as const;
type RootName = keyof typeof ROOTS;

function issuerOf(root: Element): string {
  const issuer = onlyChild(root, NS.assertion, 'Issuer');
  const value = issuer ? textOf(issuer) : '';
  if (!value) throw new SamlError('The SAML message names no Issuer.');
  return value;
}

/** Parses, identifies the service provider and checks the signature; the result is read from signed XML only. */
export async function verifyIncoming(
  incoming: Incoming,
  expected: RootName,
  find: FindServiceProvider,
): Promise<Verified> {
  const doc = parseXml(incoming.xml);
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.protocol || root.localName !== expected)
    throw new SamlError(`Expected a SAML ${expected}.`);
  if (root.getAttribute('Version') !== '2.0') throw new SamlError('Only SAML 2.0 is supported.');
  const issuer = issuerOf(root);
  const sp = await find(issuer);
  if (!sp) throw new SamlError('This service provider is not registered with Stepgate.', 403);
  const certificate = sp.saml.certificate;
  const presented =
    incoming.binding === 'redirect' ? /[?&]Signature=/.test(incoming.url) : rootSignature(doc) !== undefined;
  if (!sp.saml.validateRequestSignatures && (!presented || !certificate)) return { doc, root, sp, signed: false };
  if (!certificate) throw new SamlError('The service provider has no certificate to check its signature.', 403);
  if (incoming.binding === 'redirect') {
    verifyRedirectSignature(incoming.url, incoming.param, certificate);
    return { doc, root, sp, signed: true };
  }
  const covered = verifyEnveloped(incoming.xml, doc, certificate);
  const coveredRoot = covered.documentElement!;
  if (issuerOf(coveredRoot) !== issuer) throw new SamlError('The signature does not cover the SAML message.', 403);
  return { doc: covered, root: coveredRoot, sp, signed: true };
}

function idOf(root: Element): string {
  const id = root.getAttribute('ID') ?? '';
  if (!/^[A-Za-z_][\w.-]{0,255}$/.test(id)) throw new SamlError('The SAML message has no valid ID.');
  return id;
}

function checkIssueInstant(root: Element, now: number): number {
  const at = timeAttribute(root, 'IssueInstant');
  if (at === undefined) throw new SamlError('The SAML message has no IssueInstant.');
  if (at > now + CLOCK_SKEW_MS) throw new SamlError('The SAML message was issued in the future (check the clocks).');
  if (at < now - REQUEST_MAX_AGE_MS - CLOCK_SKEW_MS)
    throw new SamlError('The SAML message has expired: start again from the application.');
  return at;
}

function checkDestination(root: Element, expected: string): void {
  const destination = root.getAttribute('Destination');
  if (destination && destination !== expected)
    throw new SamlError('The SAML message is addressed to another endpoint.');
}

export interface AuthnRequest {
  id: string;
  issuer: string;
  /** the registered ACS URL the response goes to */
  acsUrl: string;
  forceAuthn: boolean;
  isPassive: boolean;
  nameIdFormat?: string;
  requestedContext?: RequestedAuthnContext;
}

export function readAuthnRequest(v: Verified, ssoUrl: string, now: number): AuthnRequest {
  const { root, sp } = v;
  const id = idOf(root);
  checkIssueInstant(root, now);
  checkDestination(root, ssoUrl);
  const binding = root.getAttribute('ProtocolBinding');
  if (binding && binding !== BINDING.post)
    throw new SamlError('Stepgate sends responses with the HTTP-POST binding only.');
  // the response goes only to an address registered for this service provider, never to one a request names
  const asked = root.getAttribute('AssertionConsumerServiceURL');
  if (asked && !sp.saml.assertionConsumerUrls.includes(asked))
    throw new SamlError(
      'The Assertion Consumer Service URL in the request is not registered for this service provider.',
      403,
    );
  const acsUrl = asked || sp.saml.defaultAssertionConsumerUrl;
  if (!acsUrl) throw new SamlError('The service provider has no Assertion Consumer Service URL.', 403);
  const policy = onlyChild(root, NS.protocol, 'NameIDPolicy');
  const format = policy?.getAttribute('Format') || undefined;
  const context = onlyChild(root, NS.protocol, 'RequestedAuthnContext');
  let requestedContext: RequestedAuthnContext | undefined;
  if (context) {
    const comparison = (context.getAttribute('Comparison') || 'exact') as Comparison;
    if (!['exact', 'minimum', 'maximum', 'better'].includes(comparison))
      throw new SamlError('The RequestedAuthnContext Comparison is not exact, minimum, maximum or better.');
    const classRefs = childElements(context, NS.assertion, 'AuthnContextClassRef').map(textOf);
    if (childElements(context, NS.assertion, 'AuthnContextDeclRef').length > 0 && classRefs.length === 0)
      requestedContext = { comparison, classRefs: ['urn:stepgate:unsupported-declaration'] };
    else requestedContext = { comparison, classRefs };
  }
  return {
    id,
    issuer: sp.saml.issuer,
    acsUrl,
    forceAuthn: booleanAttribute(root, 'ForceAuthn'),
    isPassive: booleanAttribute(root, 'IsPassive'),
    ...(format && format !== NAMEID_UNSPECIFIED ? { nameIdFormat: format } : {}),
    ...(requestedContext ? { requestedContext } : {}),
  };
}

export interface LogoutRequest {
  id: string;
  issuer: string;
  nameId: string;
  sessionIndexes: string[];
}

export function readLogoutRequest(v: Verified, sloUrl: string, now: number): LogoutRequest {
  const { root, sp } = v;
  const id = idOf(root);
  checkIssueInstant(root, now);
  checkDestination(root, sloUrl);
  const notOnOrAfter = timeAttribute(root, 'NotOnOrAfter');
  if (notOnOrAfter !== undefined && notOnOrAfter <= now - CLOCK_SKEW_MS)
    throw new SamlError('The LogoutRequest has expired.');
  const nameIdElement = onlyChild(root, NS.assertion, 'NameID');
  if (!nameIdElement) throw new SamlError('The LogoutRequest names no NameID.');
  const nameId = textOf(nameIdElement);
  if (!nameId) throw new SamlError('The LogoutRequest names no NameID.');
  return {
    id,
    issuer: sp.saml.issuer,
    nameId,
    sessionIndexes: childElements(root, NS.protocol, 'SessionIndex').map(textOf),
  };
}

export interface LogoutResponse {
  id: string;
  issuer: string;
  inResponseTo: string;
  status: string;
}

export function readLogoutResponse(v: Verified, sloUrl: string, now: number): LogoutResponse {
  const { root, sp } = v;
  const id = idOf(root);
  checkIssueInstant(root, now);
  checkDestination(root, sloUrl);
  const status = onlyChild(root, NS.protocol, 'Status');
  const code = status ? onlyChild(status, NS.protocol, 'StatusCode')?.getAttribute('Value') : undefined;
  return { id, issuer: sp.saml.issuer, inResponseTo: root.getAttribute('InResponseTo') ?? '', status: code ?? '' };
}
