/**
 * "Import SP metadata": reads a SAML 2.0 service provider's EntityDescriptor into SAML service provider settings —
 * entityID, the HTTP-POST Assertion Consumer Services (and the default), Single Logout, the signing (or encryption)
 * certificate, the NameID format and AuthnRequestsSigned. A document type declaration or entity is refused before
 * any parsing (no entity expansion, no external fetches); what the settings cannot hold is a warning, not a guess.
 */
import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { lazyModule } from '../lazy-module.js';

/** Loaded when an operator imports SP metadata, not at start. */
const xmldom = lazyModule<typeof import('@xmldom/xmldom')>('@xmldom/xmldom');

import type { SamlServiceProviderInput } from './saml-settings.js';
import { SAML_NAME_ID_FORMATS } from './saml-settings.js';
import type { SamlNameIdFormat } from './types.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** One SP's metadata is a few kilobytes; a federation's aggregate is not what this reads. */
export const MAX_SP_METADATA_CHARS = 256 * 1024;

/** Metadata that cannot be read as one SP's EntityDescriptor; the message says why, in the administrator's words. */
export class SamlMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SamlMetadataError';
  }
}

export interface ImportedSpMetadata {
  /** the settings the metadata says; the caller keeps its own choices for the rest (response signing, ...) */
  settings: Pick<SamlServiceProviderInput, 'issuer' | 'assertionConsumerUrls' | 'defaultAssertionConsumerUrl'> &
    Pick<SamlServiceProviderInput, 'nameIdFormat' | 'validateRequestSignatures' | 'certificate' | 'singleLogout'>;
  /** what the metadata says that the settings cannot hold (other bindings, a second certificate, ...) */
  warnings: string[];
}

function childElements(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling)
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName)
      out.push(n as Element);
  return out;
}

function parse(xml: string): Element {
  if (xml.length > MAX_SP_METADATA_CHARS)
    throw new SamlMetadataError(`is longer than ${MAX_SP_METADATA_CHARS} characters (one SP's metadata is expected)`);
  // refused as text, before a parser could act on them: no DTD, no entity, whatever the parser would do
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml))
    throw new SamlMetadataError('must not contain a document type declaration (DOCTYPE) or entities');
  let root: Element | null;
  try {
    const doc = new (xmldom().DOMParser)({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
    if (doc.doctype) throw new Error('a document type declaration');
    root = doc.documentElement;
  } catch (e) {
    const reason = String((e as Error).message ?? e)
      .split('\n')[0]!
      .replace(/^\[xmldom \w+\]\s*/, '')
      .slice(0, 200);
    throw new SamlMetadataError(`is not well-formed XML: ${reason}`);
  }
  if (!root) throw new SamlMetadataError('is empty');
  if (root.namespaceURI === MD && root.localName === 'EntitiesDescriptor') {
    const sps = childElements(root, MD, 'EntityDescriptor').filter(
      (e) => childElements(e, MD, 'SPSSODescriptor').length > 0,
    );
    if (sps.length !== 1)
      throw new SamlMetadataError(`holds ${sps.length} service providers; import one SP's EntityDescriptor at a time`);
    return sps[0]!;
  }
  if (root.namespaceURI !== MD || root.localName !== 'EntityDescriptor')
    throw new SamlMetadataError(
      `is not SAML 2.0 metadata: the root is ${root.localName ?? root.nodeName}, not md:EntityDescriptor`,
    );
  return root;
}

/** The SPSSODescriptor that speaks SAML 2.0. */
function spDescriptor(entity: Element): Element {
  const descriptors = childElements(entity, MD, 'SPSSODescriptor');
  const saml2 = descriptors.find((d) =>
    (d.getAttribute('protocolSupportEnumeration') ?? '').split(/\s+/).includes(PROTOCOL),
  );
  if (!saml2)
    throw new SamlMetadataError(
      descriptors.length === 0
        ? 'has no SPSSODescriptor: it describes no service provider'
        : 'has no SPSSODescriptor for the SAML 2.0 protocol',
    );
  return saml2;
}

function pemOf(base64: string): string | undefined {
  const body = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----`;
  try {
    return new X509Certificate(pem).toString().trim();
  } catch {
    return undefined;
  }
}

/** The certificates of the SP's KeyDescriptors by use (no use attribute: both). */
function certificates(sp: Element): { signing: string[]; encryption: string[]; unreadable: number } {
  const out = { signing: [] as string[], encryption: [] as string[], unreadable: 0 };
  for (const kd of childElements(sp, MD, 'KeyDescriptor')) {
    const use = kd.getAttribute('use') || '';
    for (const keyInfo of childElements(kd, DS, 'KeyInfo'))
      for (const data of childElements(keyInfo, DS, 'X509Data'))
        for (const cert of childElements(data, DS, 'X509Certificate')) {
          const pem = pemOf(cert.textContent ?? '');
          if (!pem) {
            out.unreadable++;
            continue;
          }
          if (use !== 'encryption') out.signing.push(pem);
          if (use !== 'signing') out.encryption.push(pem);
        }
  }
  return out;
}

interface Endpoint {
  binding: string;
  location: string;
  responseLocation?: string;
  index: number;
  isDefault?: boolean;
  order: number;
}

function endpoints(sp: Element, localName: string): Endpoint[] {
  return childElements(sp, MD, localName).map((e, order) => {
    const index = Number.parseInt(e.getAttribute('index') ?? '', 10);
    const isDefault = e.getAttribute('isDefault');
    const responseLocation = e.getAttribute('ResponseLocation');
    return {
      binding: e.getAttribute('Binding') ?? '',
      location: (e.getAttribute('Location') ?? '').trim(),
      ...(responseLocation ? { responseLocation: responseLocation.trim() } : {}),
      index: Number.isNaN(index) ? order : index,
      ...(isDefault === 'true' || isDefault === '1'
        ? { isDefault: true }
        : isDefault === 'false' || isDefault === '0'
          ? { isDefault: false }
          : {}),
      order,
    };
  });
}

/** SAML metadata §2.2.3: the one marked default, else the first not marked otherwise, else the first. */
function defaultOf(list: Endpoint[]): Endpoint | undefined {
  return list.find((e) => e.isDefault === true) ?? list.find((e) => e.isDefault === undefined) ?? list[0];
}

export function parseSpMetadata(xml: string): ImportedSpMetadata {
  const entity = parse(xml.trim());
  const warnings: string[] = [];
  const issuer = (entity.getAttribute('entityID') ?? '').trim();
  if (!issuer) throw new SamlMetadataError('has no entityID: the SP entity ID (Issuer) is required');
  const sp = spDescriptor(entity);

  const acsAll = endpoints(sp, 'AssertionConsumerService');
  const acs = acsAll
    .filter((e) => e.binding === POST && e.location)
    .sort((a, b) => a.index - b.index || a.order - b.order);
  const skipped = acsAll.length - acs.length;
  if (skipped > 0)
    warnings.push(
      `${skipped} Assertion Consumer Service(s) left out: Stepgate answers with the HTTP-POST binding only`,
    );
  if (acs.length === 0) throw new SamlMetadataError('has no AssertionConsumerService with the HTTP-POST binding');

  const slo = endpoints(sp, 'SingleLogoutService').filter((e) => e.location);
  const sloChosen = slo.find((e) => e.binding === REDIRECT) ?? slo.find((e) => e.binding === POST);
  if (slo.length > 0 && !sloChosen)
    warnings.push('the SingleLogoutService bindings are neither HTTP-Redirect nor HTTP-POST: Single Logout left off');

  const certs = certificates(sp);
  if (certs.unreadable > 0) warnings.push(`${certs.unreadable} certificate(s) in KeyDescriptor could not be read`);
  const certificate = certs.signing[0] ?? certs.encryption[0];
  if (new Set([...certs.signing, ...certs.encryption]).size > 1)
    warnings.push(
      'the metadata has more than one certificate; Stepgate keeps one per SP (the first signing certificate)',
    );

  const formats = childElements(sp, MD, 'NameIDFormat').map((n) => (n.textContent ?? '').trim());
  const nameIdFormat = formats.find((f): f is SamlNameIdFormat => SAML_NAME_ID_FORMATS.includes(f as SamlNameIdFormat));
  if (formats.length > 0 && !nameIdFormat)
    warnings.push(`NameID format ${formats[0]} is not one Stepgate issues; the format is left as it was`);

  const signed = sp.getAttribute('AuthnRequestsSigned');
  const validateRequestSignatures = signed === 'true' || signed === '1';
  if (validateRequestSignatures && !certificate)
    warnings.push('AuthnRequestsSigned is true but the metadata has no signing certificate');

  return {
    settings: {
      issuer,
      assertionConsumerUrls: [...new Set(acs.map((e) => e.location))],
      defaultAssertionConsumerUrl: defaultOf(acs)!.location,
      ...(nameIdFormat ? { nameIdFormat } : {}),
      validateRequestSignatures,
      ...(certificate ? { certificate } : {}),
      singleLogout: sloChosen
        ? {
            enabled: true,
            url: sloChosen.location,
            ...(sloChosen.responseLocation ? { responseUrl: sloChosen.responseLocation } : {}),
            binding: sloChosen.binding === REDIRECT ? 'redirect' : 'post',
          }
        : { enabled: false },
    },
    warnings,
  };
}

/**
 * An SP's settings after an import: what the metadata says replaces the current values; what it does not say
 * (response signing, attribute profile, IdP-initiated SSO, encryption; a NameID format or certificate it leaves
 * out) keeps the administrator's choice.
 */
export function withImportedMetadata(
  current: SamlServiceProviderInput | undefined,
  imported: ImportedSpMetadata,
): SamlServiceProviderInput {
  return { ...(current ?? {}), ...imported.settings };
}
