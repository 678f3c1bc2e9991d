/**
 * What Stepgate sends: the Response with its Assertion (signed, optionally encrypted for the service provider, the
 * Response signed too when the provider asks), error Responses, and the LogoutRequest / LogoutResponse of Single
 * Logout. Every document is built with DOM calls; only xml-crypto and xml-encryption turn it into signed or
 * encrypted text.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import type XmlEncryption from 'xml-encryption';
import { lazyModule } from '../lazy-module.js';
import { ASSERTION_LIFETIME_MS, ATTRNAME_BASIC, BEARER, CLOCK_SKEW_MS, NS, STATUS } from './constants.js';
import type { SamlKey } from './keys.js';
import { signElement } from './signature.js';
import { addElement, isoTime, newDocument, parseXml, serialize } from './xml.js';

/** Loaded with the first encrypted assertion, not at start. */
const xmlEncryption = lazyModule<typeof XmlEncryption>('xml-encryption');

/** A fresh SAML ID: starts with a letter (xs:ID), 160 random bits. */
export function samlId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

function declare(el: Element, prefix: string, ns: string): void {
  el.setAttributeNS('http://www.w3.org/2000/xmlns/', `xmlns:${prefix}`, ns);
}

function protocolRoot(name: string, attributes: Record<string, string | undefined>) {
  const doc = newDocument(NS.protocol, `samlp:${name}`);
  const root = doc.documentElement!;
  declare(root, 'samlp', NS.protocol);
  declare(root, 'saml', NS.assertion);
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) root.setAttribute(k, v);
  return { doc, root };
}

function addStatus(root: Element, code: string, subCode?: string, message?: string): void {
  const status = addElement(root, NS.protocol, 'samlp:Status');
  const top = addElement(status, NS.protocol, 'samlp:StatusCode', { Value: code });
  if (subCode) addElement(top, NS.protocol, 'samlp:StatusCode', { Value: subCode });
  if (message) addElement(status, NS.protocol, 'samlp:StatusMessage', {}, message);
}

export interface AssertionInput {
  idpEntityId: string;
  audience: string;
  acsUrl: string;
  inResponseTo?: string | undefined;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  authnInstant: number;
  sessionNotOnOrAfter: number;
  authnContextClass: string;
  attributes: [name: string, value: string][];
  now: number;
  key: SamlKey;
  signResponse: boolean;
  /** the service provider's certificate: encrypts the assertion for it */
  encryptFor?: string | undefined;
}

function buildAssertion(input: AssertionInput): { xml: string; id: string } {
  const id = samlId();
  const doc = newDocument(NS.assertion, 'saml:Assertion');
  const a = doc.documentElement!;
  declare(a, 'saml', NS.assertion);
  a.setAttribute('ID', id);
  a.setAttribute('Version', '2.0');
  a.setAttribute('IssueInstant', isoTime(input.now));
  addElement(a, NS.assertion, 'saml:Issuer', {}, input.idpEntityId);
  const subject = addElement(a, NS.assertion, 'saml:Subject');
  addElement(subject, NS.assertion, 'saml:NameID', { Format: input.nameIdFormat }, input.nameId);
  const confirmation = addElement(subject, NS.assertion, 'saml:SubjectConfirmation', { Method: BEARER });
  addElement(confirmation, NS.assertion, 'saml:SubjectConfirmationData', {
    InResponseTo: input.inResponseTo,
    NotOnOrAfter: isoTime(input.now + ASSERTION_LIFETIME_MS),
    Recipient: input.acsUrl,
  });
  const conditions = addElement(a, NS.assertion, 'saml:Conditions', {
    NotBefore: isoTime(input.now - CLOCK_SKEW_MS),
    NotOnOrAfter: isoTime(input.now + ASSERTION_LIFETIME_MS),
  });
  const restriction = addElement(conditions, NS.assertion, 'saml:AudienceRestriction');
  addElement(restriction, NS.assertion, 'saml:Audience', {}, input.audience);
  const statement = addElement(a, NS.assertion, 'saml:AuthnStatement', {
    AuthnInstant: isoTime(input.authnInstant),
    SessionIndex: input.sessionIndex,
    SessionNotOnOrAfter: isoTime(input.sessionNotOnOrAfter),
  });
  const context = addElement(statement, NS.assertion, 'saml:AuthnContext');
  addElement(context, NS.assertion, 'saml:AuthnContextClassRef', {}, input.authnContextClass);
  if (input.attributes.length > 0) {
    const attributes = addElement(a, NS.assertion, 'saml:AttributeStatement');
    for (const [name, value] of input.attributes) {
      const attribute = addElement(attributes, NS.assertion, 'saml:Attribute', {
        Name: name,
        NameFormat: ATTRNAME_BASIC,
      });
      addElement(attribute, NS.assertion, 'saml:AttributeValue', {}, value);
    }
  }
  return { xml: signElement(serialize(doc), id, input.key), id };
}

function encrypt(xml: string, certificate: string): Promise<string> {
  const cert = new X509Certificate(certificate);
  return new Promise((resolve, reject) =>
    xmlEncryption().encrypt(
      xml,
      {
        rsa_pub: cert.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        pem: cert.toString(),
        encryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
        disallowEncryptionWithInsecureAlgorithm: true,
        warnInsecureAlgorithm: false,
      },
      (err: Error | null, result?: string) =>
        err || !result ? reject(err ?? new Error('encryption failed')) : resolve(result),
    ),
  );
}

/** The signed (and, when configured, encrypted) Response for a finished login. */
export async function buildLoginResponse(input: AssertionInput): Promise<string> {
  const assertion = buildAssertion(input);
  const id = samlId();
  const { doc, root } = protocolRoot('Response', {
    ID: id,
    Version: '2.0',
    IssueInstant: isoTime(input.now),
    Destination: input.acsUrl,
    InResponseTo: input.inResponseTo,
  });
  addElement(root, NS.assertion, 'saml:Issuer', {}, input.idpEntityId);
  addStatus(root, STATUS.success);
  if (input.encryptFor) {
    const encrypted = parseXml(await encrypt(assertion.xml, input.encryptFor));
    const holder = addElement(root, NS.assertion, 'saml:EncryptedAssertion');
    holder.appendChild(doc.importNode(encrypted.documentElement!, true));
  } else {
    root.appendChild(doc.importNode(parseXml(assertion.xml).documentElement!, true));
  }
  const xml = serialize(doc);
  return input.signResponse ? signElement(xml, id, input.key) : xml;
}

export interface StatusResponseInput {
  idpEntityId: string;
  destination: string;
  inResponseTo?: string | undefined;
  status: string;
  subStatus?: string | undefined;
  message?: string | undefined;
  now: number;
  key: SamlKey;
}

function statusResponse(name: 'Response' | 'LogoutResponse', input: StatusResponseInput): { xml: string; id: string } {
  const id = samlId();
  const { doc, root } = protocolRoot(name, {
    ID: id,
    Version: '2.0',
    IssueInstant: isoTime(input.now),
    Destination: input.destination,
    InResponseTo: input.inResponseTo,
  });
  addElement(root, NS.assertion, 'saml:Issuer', {}, input.idpEntityId);
  addStatus(root, input.status, input.subStatus, input.message);
  return { xml: serialize(doc), id };
}

/** A Response without an assertion (NoAuthnContext, NoPassive, AuthnFailed…), always signed. */
export function buildErrorResponse(input: StatusResponseInput): string {
  const { xml, id } = statusResponse('Response', input);
  return signElement(xml, id, input.key);
}

/** A LogoutResponse: enveloped-signed for the POST binding; the Redirect binding signs the query instead. */
export function buildLogoutResponse(input: StatusResponseInput, sign: boolean): string {
  const { xml, id } = statusResponse('LogoutResponse', input);
  return sign ? signElement(xml, id, input.key) : xml;
}

export interface LogoutRequestInput {
  idpEntityId: string;
  destination: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  now: number;
  key: SamlKey;
}

export function buildLogoutRequest(input: LogoutRequestInput, sign: boolean): { xml: string; id: string } {
  const id = samlId();
  const { doc, root } = protocolRoot('LogoutRequest', {
    ID: id,
    Version: '2.0',
    IssueInstant: isoTime(input.now),
    Destination: input.destination,
    NotOnOrAfter: isoTime(input.now + ASSERTION_LIFETIME_MS),
    Reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
  });
  addElement(root, NS.assertion, 'saml:Issuer', {}, input.idpEntityId);
  addElement(root, NS.assertion, 'saml:NameID', { Format: input.nameIdFormat }, input.nameId);
  addElement(root, NS.protocol, 'samlp:SessionIndex', {}, input.sessionIndex);
  const xml = serialize(doc);
  return { xml: sign ? signElement(xml, id, input.key) : xml, id };
}
