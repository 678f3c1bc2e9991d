/**
 * XML signatures with xml-crypto: enveloped RSA-SHA256 signatures over exclusive c14n for what Stepgate sends, and
 * checks of what service providers send. A checked message is read only from the XML the signature covers (the
 * library's signed references), so content beside or around the signed element (signature wrapping) is never read.
 * The HTTP-Redirect binding signs the query string instead (SAML bindings §3.4.4.1).
 */
import { createSign, createVerify } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import type * as XmlCrypto from 'xml-crypto';
import { lazyModule } from '../lazy-module.js';
import { ACCEPTED_DIGESTS, ACCEPTED_SIGNATURES, ALG, NS } from './constants.js';
import type { SamlKey } from './keys.js';
import { childElements, elementsWithId, onlyChild, parseXml, SamlError } from './xml.js';

/** Loaded with the first SAML message, not at start. */
const xmlCrypto = lazyModule<typeof XmlCrypto>('xml-crypto');

/**
 * Signs the element with this ID inside `xml`; the signature goes right after that element's Issuer, where the
 * SAML schema puts it.
 */
export function signElement(xml: string, id: string, key: SamlKey): string {
  const sig = new (xmlCrypto().SignedXml)({
    privateKey: key.privateKey,
    publicCert: key.certificate,
    signatureAlgorithm: ALG.rsaSha256,
    canonicalizationAlgorithm: ALG.excC14n,
  });
  sig.addReference({
    xpath: `//*[@ID='${id}']`,
    digestAlgorithm: ALG.sha256,
    transforms: [ALG.enveloped, ALG.excC14n],
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

/** The signature directly inside the root element, if any (a signature elsewhere does not sign the message). */
export function rootSignature(doc: Document): Element | undefined {
  return onlyChild(doc.documentElement!, NS.dsig, 'Signature');
}

/**
 * Checks the enveloped signature of the message root against the service provider's certificate and returns the
 * document to read from: the signed element as the signature covers it. Refuses a signature that covers anything
 * but the root (by its ID, which must be unique), uses SHA-1, or does not verify.
 */
export function verifyEnveloped(xml: string, doc: Document, certificate: string): Document {
  const root = doc.documentElement!;
  const signature = rootSignature(doc);
  if (!signature) throw new SamlError('The SAML message is not signed.', 403);
  const id = root.getAttribute('ID');
  if (!id) throw new SamlError('The signed SAML message has no ID.');
  if (elementsWithId(doc, id).length !== 1) throw new SamlError('The SAML message repeats its ID.', 403);
  const signedInfo = onlyChild(signature, NS.dsig, 'SignedInfo');
  if (!signedInfo) throw new SamlError('The signature has no SignedInfo.', 403);
  const method = onlyChild(signedInfo, NS.dsig, 'SignatureMethod')?.getAttribute('Algorithm') ?? '';
  if (!ACCEPTED_SIGNATURES[method])
    throw new SamlError('The signature algorithm is not accepted (use RSA-SHA256).', 403);
  const references = childElements(signedInfo, NS.dsig, 'Reference');
  if (references.length !== 1 || references[0]!.getAttribute('URI') !== `#${id}`)
    throw new SamlError('The signature does not cover the SAML message.', 403);
  const digest = onlyChild(references[0]!, NS.dsig, 'DigestMethod')?.getAttribute('Algorithm') ?? '';
  if (!ACCEPTED_DIGESTS.has(digest)) throw new SamlError('The digest algorithm is not accepted (use SHA-256).', 403);
  const verifier = new (xmlCrypto().SignedXml)({ publicCert: certificate, getCertFromKeyInfo: () => null });
  let valid = false;
  try {
    verifier.loadSignature(signature as unknown as Node);
    valid = verifier.checkSignature(xml);
  } catch {
    valid = false;
  }
  if (!valid) throw new SamlError('The signature of the SAML message does not verify.', 403);
  const signed = verifier.getSignedReferences();
  if (signed.length !== 1) throw new SamlError('The signature does not cover the SAML message.', 403);
  const covered = parseXml(signed[0]!);
  const coveredRoot = covered.documentElement!;
  if (coveredRoot.getAttribute('ID') !== id || coveredRoot.localName !== root.localName)
    throw new SamlError('The signature does not cover the SAML message.', 403);
  return covered;
}

/** The raw `name=value` pairs of a query string, values still URL-encoded as they were signed. */
export function rawQueryParams(url: string): Map<string, string> {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const out = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (out.has(name)) throw new SamlError(`The parameter ${name} is given twice.`);
    out.set(name, eq < 0 ? '' : pair.slice(eq + 1));
  }
  return out;
}

/**
 * A query value as sent; a malformed escape is a refusal, not a crash. A raw `+` stays `+`: it only occurs in the
 * base64 signature of senders that do not escape it (SigAlg URIs have no spaces).
 */
function queryValue(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new SamlError('The request URL is malformed.');
  }
}

/** Checks an HTTP-Redirect binding signature: over `SAMLRequest|SAMLResponse`, `RelayState`, `SigAlg`, as received. */
export function verifyRedirectSignature(url: string, messageParam: string, certificate: string): void {
  const raw = rawQueryParams(url);
  const sigAlgRaw = raw.get('SigAlg');
  const signatureRaw = raw.get('Signature');
  if (sigAlgRaw === undefined || signatureRaw === undefined)
    throw new SamlError('The SAML message is not signed.', 403);
  const hash = ACCEPTED_SIGNATURES[queryValue(sigAlgRaw)];
  if (!hash) throw new SamlError('The signature algorithm is not accepted (use RSA-SHA256).', 403);
  const parts = [`${messageParam}=${raw.get(messageParam) ?? ''}`];
  if (raw.has('RelayState')) parts.push(`RelayState=${raw.get('RelayState')}`);
  parts.push(`SigAlg=${sigAlgRaw}`);
  const signature = Buffer.from(queryValue(signatureRaw), 'base64');
  let valid = false;
  try {
    valid = createVerify(hash === 'sha256' ? 'RSA-SHA256' : 'RSA-SHA512')
      .update(parts.join('&'))
      .verify(certificate, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new SamlError('The signature of the SAML message does not verify.', 403);
}

/** Builds a signed HTTP-Redirect query string for an outgoing message (already deflated and base64-encoded). */
export function signedRedirectQuery(
  messageParam: 'SAMLRequest' | 'SAMLResponse',
  encoded: string,
  relayState: string | undefined,
  key: SamlKey,
): string {
  const parts = [`${messageParam}=${encodeURIComponent(encoded)}`];
  if (relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(relayState)}`);
  parts.push(`SigAlg=${encodeURIComponent(ALG.rsaSha256)}`);
  const signed = parts.join('&');
  const signature = createSign('RSA-SHA256').update(signed).sign(key.privateKey, 'base64');
  return `${signed}&Signature=${encodeURIComponent(signature)}`;
}
