/**
 * Reading incoming SAML XML safely: a size limit, no document type declaration at all (so no entity expansion and
 * no external entities), parse errors as refusals, and element helpers that read only what the schema allows.
 * Outgoing XML is built with the same DOM implementation (`newDocument`), never by joining strings.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { lazyModule } from '../lazy-module.js';

/** The XML stack loads with the first SAML message, not at start (most nodes never see one). */
const xmldom = lazyModule<typeof import('@xmldom/xmldom')>('@xmldom/xmldom');

/** A message Stepgate refuses; `reason` is shown to the user and written to the audit log. */
export class SamlError extends Error {
  constructor(
    readonly reason: string,
    readonly status = 400,
  ) {
    super(reason);
    this.name = 'SamlError';
  }
}

/** The largest SAML message (decoded XML) Stepgate reads. */
export const MAX_XML_BYTES = 64 * 1024;

export function parseXml(text: string): Document {
  if (Buffer.byteLength(text) > MAX_XML_BYTES) throw new SamlError('The SAML message is too large.', 413);
  // a DTD is never needed in SAML and is the door to entity expansion ("billion laughs") and external entities:
  // refuse the document before any parser sees it
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new SamlError('The SAML message contains a document type declaration.');
  let doc: Document;
  try {
    doc = new (xmldom().DOMParser)({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(text, xmldom().MIME_TYPE.XML_APPLICATION);
  } catch {
    throw new SamlError('The SAML message is not well-formed XML.');
  }
  if (!doc.documentElement) throw new SamlError('The SAML message is empty.');
  if (doc.doctype) throw new SamlError('The SAML message contains a document type declaration.');
  return doc;
}

export function serialize(node: Document | Element): string {
  return new (xmldom().XMLSerializer)().serializeToString(node);
}

export function newDocument(ns: string, qualifiedName: string): Document {
  return new (xmldom().DOMImplementation)().createDocument(ns, qualifiedName, null);
}

/** Adds a child element in a namespace, with attributes (undefined ones are left out) and optional text. */
export function addElement(
  parent: Element,
  ns: string,
  qualifiedName: string,
  attributes: Record<string, string | undefined> = {},
  text?: string,
): Element {
  const doc = parent.ownerDocument!;
  const el = doc.createElementNS(ns, qualifiedName);
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) el.setAttribute(k, v);
  if (text !== undefined) el.appendChild(doc.createTextNode(text));
  parent.appendChild(el);
  return el;
}

export function childElements(parent: Element, ns?: string, localName?: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const el = n as Element;
    if (ns !== undefined && el.namespaceURI !== ns) continue;
    if (localName !== undefined && el.localName !== localName) continue;
    out.push(el);
  }
  return out;
}

/** The one child element of that name, undefined when absent; two are a malformed message. */
export function onlyChild(parent: Element, ns: string, localName: string): Element | undefined {
  const found = childElements(parent, ns, localName);
  if (found.length > 1) throw new SamlError(`The SAML message has more than one ${localName}.`);
  return found[0];
}

/**
 * The text of an element that must hold text only. A comment or any other node inside (`a<!---->b`) is refused:
 * readers that take the first text node would see "a" while a signature covers "a" + "b" (the comment attack).
 */
export function textOf(el: Element): string {
  let out = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 3 || n.nodeType === 4) out += n.nodeValue ?? '';
    else throw new SamlError(`The ${el.localName} element must hold text only.`);
  }
  return out.trim();
}

/** xs:boolean */
export function booleanAttribute(el: Element, name: string): boolean {
  const v = el.getAttribute(name);
  if (v === null || v === '') return false;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new SamlError(`The ${name} attribute is not a boolean.`);
}

/** xs:dateTime in UTC as SAML requires; undefined when absent. */
export function timeAttribute(el: Element, name: string): number | undefined {
  const v = el.getAttribute(name);
  if (!v) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v))
    throw new SamlError(`The ${name} attribute is not a UTC time.`);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new SamlError(`The ${name} attribute is not a UTC time.`);
  return t;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Every element of the document carrying this ID attribute value. */
export function elementsWithId(doc: Document, id: string): Element[] {
  const out: Element[] = [];
  const walk = (el: Element) => {
    if (el.getAttribute('ID') === id || el.getAttribute('Id') === id || el.getAttribute('id') === id) out.push(el);
    for (const c of childElements(el)) walk(c);
  };
  if (doc.documentElement) walk(doc.documentElement);
  return out;
}
