/**
 * An application's SAML service provider settings (WSO2: Inbound Authentication Configuration › SAML2 Web SSO
 * Configuration): the defaults an input leaves out, and the rules a saved configuration keeps — each broken rule a
 * field problem under `saml.`.
 */
import { X509Certificate } from 'node:crypto';
import type { FieldProblem } from './errors.js';
import type { SamlNameIdFormat, SamlServiceProviderSettings } from './types.js';

/** The NameID formats Stepgate issues, in the order the console offers them. */
export const SAML_NAME_ID_FORMATS: readonly SamlNameIdFormat[] = [
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
];

export const MAX_SAML_ISSUER_CHARS = 1024;
/** what a btree index entry holds on every back end (PostgreSQL's limit is about 2700 bytes) */
const MAX_SAML_ISSUER_BYTES = 2048;
export const MAX_ASSERTION_CONSUMER_URLS = 20;
export const MAX_SAML_CERTIFICATE_CHARS = 16 * 1024;

/** What an administrator (API, setup file, metadata import) gives: the Issuer and the ACS URLs, the rest defaulted. */
export interface SamlServiceProviderInput {
  issuer: string;
  assertionConsumerUrls: string[];
  defaultAssertionConsumerUrl?: string;
  nameIdFormat?: SamlNameIdFormat;
  signResponses?: boolean;
  validateRequestSignatures?: boolean;
  encryptAssertions?: boolean;
  certificate?: string | null;
  singleLogout?: { enabled?: boolean; url?: string; responseUrl?: string; binding?: 'redirect' | 'post' };
  attributeProfile?: boolean;
  idpInitiated?: boolean;
}

/** A PEM certificate in Node's canonical form, or the text as given when it does not parse (the check says so). */
function canonicalPem(text: string): string {
  if (samlCertificateProblem(text)) return text;
  return new X509Certificate(text).toString().trim();
}

/** The settings with their defaults: responses signed, nothing else switched on, the only ACS URL the default. */
export function samlSettingsOf(input: SamlServiceProviderInput): SamlServiceProviderSettings {
  const acs = input.assertionConsumerUrls ?? [];
  const slo = input.singleLogout ?? {};
  const certificate = input.certificate?.trim();
  return {
    issuer: input.issuer,
    assertionConsumerUrls: acs,
    defaultAssertionConsumerUrl: input.defaultAssertionConsumerUrl || acs[0] || '',
    nameIdFormat: input.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    signResponses: input.signResponses ?? true,
    validateRequestSignatures: input.validateRequestSignatures ?? false,
    encryptAssertions: input.encryptAssertions ?? false,
    ...(certificate ? { certificate: canonicalPem(certificate) } : {}),
    singleLogout: {
      enabled: slo.enabled ?? false,
      ...(slo.url ? { url: slo.url } : {}),
      ...(slo.responseUrl ? { responseUrl: slo.responseUrl } : {}),
      binding: slo.binding ?? 'redirect',
    },
    attributeProfile: input.attributeProfile ?? false,
    idpInitiated: input.idpInitiated ?? false,
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const SPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/u;
const LOOPBACK = /^(localhost|[\w-]+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Where a response or logout message may go: an absolute https URL without a fragment; plain http only to a
 * loopback host (a development SP on this machine), never across a network.
 */
export function samlEndpointProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `"${value}" is not an absolute URL`;
  }
  if (u.hash) return `"${value}" must not have a fragment`;
  if (u.username || u.password) return `"${value}" must not carry a user name or password`;
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:' && LOOPBACK.test(u.hostname)) return undefined;
  if (u.protocol === 'http:') return `"${value}" must use https (plain http only to localhost)`;
  return `"${value}" must be an https URL`;
}

/** The problem of a PEM certificate text, or undefined when it is one parseable X.509 certificate. */
export function samlCertificateProblem(text: string): string | undefined {
  if (text.length > MAX_SAML_CERTIFICATE_CHARS) return `is longer than ${MAX_SAML_CERTIFICATE_CHARS} characters`;
  if (/PRIVATE KEY/.test(text)) return 'must be the certificate only; a private key never leaves the SP';
  const blocks = text.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  if (blocks === 0) return 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)';
  if (blocks > 1) return 'must be one certificate (an SP has one certificate here)';
  try {
    new X509Certificate(text);
    return undefined;
  } catch {
    return 'is not a parseable X.509 certificate';
  }
}

const BOOLEANS = [
  'signResponses',
  'validateRequestSignatures',
  'encryptAssertions',
  'attributeProfile',
  'idpInitiated',
];

export function checkSamlSettings(saml: SamlServiceProviderSettings): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field: `saml.${field}`, message });
  const issuer = saml.issuer;
  if (typeof issuer !== 'string' || issuer === '') add('issuer', 'is required (the SP entity ID)');
  else if (issuer.length > MAX_SAML_ISSUER_CHARS) add('issuer', `is longer than ${MAX_SAML_ISSUER_CHARS} characters`);
  else if (Buffer.byteLength(issuer, 'utf8') > MAX_SAML_ISSUER_BYTES)
    add('issuer', `is longer than ${MAX_SAML_ISSUER_BYTES} bytes in UTF-8`);
  else if (SPACE_OR_CONTROL.test(issuer)) add('issuer', 'must not contain spaces or control characters');

  const acs = Array.isArray(saml.assertionConsumerUrls) ? saml.assertionConsumerUrls : [];
  if (acs.length === 0) add('assertionConsumerUrls', 'needs at least one Assertion Consumer URL');
  if (acs.length > MAX_ASSERTION_CONSUMER_URLS)
    add('assertionConsumerUrls', `at most ${MAX_ASSERTION_CONSUMER_URLS} Assertion Consumer URLs`);
  acs.forEach((u, i) => {
    const problem = typeof u === 'string' ? samlEndpointProblem(u) : 'must be a URL';
    if (problem) add(`assertionConsumerUrls[${i}]`, problem);
    else if (acs.indexOf(u) !== i) add(`assertionConsumerUrls[${i}]`, `"${u}" is listed twice`);
  });
  if (acs.length > 0 && !acs.includes(saml.defaultAssertionConsumerUrl))
    add('defaultAssertionConsumerUrl', 'must be one of the Assertion Consumer URLs');

  if (!SAML_NAME_ID_FORMATS.includes(saml.nameIdFormat))
    add('nameIdFormat', `must be one of ${SAML_NAME_ID_FORMATS.join(', ')}`);
  for (const flag of BOOLEANS)
    if (typeof (saml as unknown as Record<string, unknown>)[flag] !== 'boolean') add(flag, 'must be true or false');

  if (saml.certificate !== undefined) {
    const problem = samlCertificateProblem(saml.certificate);
    if (problem) add('certificate', problem);
  } else if (saml.validateRequestSignatures)
    add('certificate', 'is required to validate the signatures of authentication requests');
  else if (saml.encryptAssertions) add('certificate', 'is required to encrypt assertions');

  const slo = saml.singleLogout;
  if (slo.enabled && !slo.url) add('singleLogout.url', 'is required when Single Logout is enabled');
  for (const key of ['url', 'responseUrl'] as const) {
    const value = slo[key];
    const problem = value !== undefined ? samlEndpointProblem(value) : undefined;
    if (problem) add(`singleLogout.${key}`, problem);
  }
  if (slo.binding !== undefined && slo.binding !== 'redirect' && slo.binding !== 'post')
    add('singleLogout.binding', 'must be redirect or post');
  return problems;
}
