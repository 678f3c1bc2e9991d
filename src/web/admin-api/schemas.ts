/**
 * The admin API's data shapes as TypeBox schemas: one object gives the handler its types, validates requests and
 * becomes the OpenAPI document's components (the console's client takes its types from that document).
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { MAX_SP_METADATA_CHARS } from '../../identity/saml-metadata.js';
import {
  MAX_ASSERTION_CONSUMER_URLS,
  MAX_SAML_CERTIFICATE_CHARS,
  MAX_SAML_ISSUER_CHARS,
  SAML_NAME_ID_FORMATS,
} from '../../identity/saml-settings.js';
import { PROBLEMS } from '../problem.js';

const Str = (max = 255, extra: object = {}) => Type.String({ maxLength: max, ...extra });
const Millis = (description: string) => Type.Integer({ description: `${description} (epoch milliseconds)` });

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'https://stepgate.dev/problems/<code>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.Union(
      Object.keys(PROBLEMS).map((c) => Type.Literal(c)),
      { description: 'Stable error code from the catalogue (docs/errors.md).' },
    ),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { title: 'Problem', description: 'RFC 9457 problem document (application/problem+json).' },
);

export const PageQuery = {
  // bounded: a number past what the database takes as OFFSET is a 400, not a 500
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0, description: 'Items to skip.' }),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page (at most 200).' }),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), offset: Type.Integer(), limit: Type.Integer() });

export const IdParams = Type.Object({ id: Str(64) });
export const Empty = Type.Null({ description: 'No content.' });

// Applications -----------------------------------------------------------------------------------------------------

const SequenceOption = Type.Object(
  {
    authenticator: Str(64, { description: "Authenticator id: 'password' (local) or 'sms-otp' (federated)." }),
    idp: Type.Optional(
      Str(64, { description: "Federated authenticators: the identity provider's name, e.g. 'smsOTP'." }),
    ),
  },
  { additionalProperties: false },
);
const AuthenticationStep = Type.Object(
  { options: Type.Array(SequenceOption, { maxItems: 10 }) },
  { additionalProperties: false },
);
const ClientType = Type.Union([Type.Literal('confidential'), Type.Literal('public')]);
const GrantType = Type.Union([
  Type.Literal('authorization_code'),
  Type.Literal('refresh_token'),
  Type.Literal('client_credentials'),
]);
const Uris = Type.Array(Str(2048), { maxItems: 50 });
const TokenEndpointAuthMethod = Type.Union([Type.Literal('client_secret_basic'), Type.Literal('client_secret_post')], {
  description:
    'Confidential clients: the one way they may send their secret (default client_secret_basic); the other is refused.',
});

// SAML 2.0 service provider (WSO2: Inbound Authentication Configuration › SAML2 Web SSO Configuration) ------------

const SamlNameIdFormat = Type.Union(
  SAML_NAME_ID_FORMATS.map((f) => Type.Literal(f)),
  { description: "NameID format; the NameID value is the application's subject claim value." },
);
const SamlBinding = Type.Union([Type.Literal('redirect'), Type.Literal('post')]);
const samlEndpoint = (description: string) =>
  Str(2048, { description: `${description} An https URL (plain http only to localhost).` });

const samlDescriptions = {
  issuer: `Issuer: the SP's entity ID, 1–${MAX_SAML_ISSUER_CHARS} characters without spaces; unique across applications.`,
  assertionConsumerUrls: 'Assertion Consumer URLs: the only addresses a response is ever sent to (HTTP-POST).',
  defaultAssertionConsumerUrl:
    'Default Assertion Consumer URL: one of the above, for requests that name none and IdP-initiated SSO. Default: the first.',
  signResponses: 'Enable Response Signing (the assertion is always signed). Default true.',
  validateRequestSignatures:
    'Enable Signature Validation in Authentication Requests and Logout Requests (needs certificate). Default false.',
  encryptAssertions: 'Enable Assertion Encryption (needs certificate). Default false.',
  certificate: "The SP's X.509 certificate (PEM): checks its request signatures, encrypts assertions for it.",
  attributeProfile:
    "Enable Attribute Profile: the application's requested claims go in an AttributeStatement. Default false.",
  idpInitiated: 'Enable IdP Initiated SSO. Default false.',
};

const singleLogoutFields = {
  enabled: Type.Boolean({ description: 'Enable Single Logout.' }),
  url: Type.Optional(samlEndpoint('SLO Request URL: where logout requests to the SP go; required when enabled.')),
  responseUrl: Type.Optional(samlEndpoint('SLO Response URL: where logout responses go; default the SLO URL.')),
  binding: Type.Optional(SamlBinding),
};

export const SamlServiceProvider = Type.Object(
  {
    issuer: Type.String({ description: samlDescriptions.issuer }),
    assertionConsumerUrls: Type.Array(Type.String(), { description: samlDescriptions.assertionConsumerUrls }),
    defaultAssertionConsumerUrl: Type.String({ description: samlDescriptions.defaultAssertionConsumerUrl }),
    nameIdFormat: SamlNameIdFormat,
    signResponses: Type.Boolean({ description: samlDescriptions.signResponses }),
    validateRequestSignatures: Type.Boolean({ description: samlDescriptions.validateRequestSignatures }),
    encryptAssertions: Type.Boolean({ description: samlDescriptions.encryptAssertions }),
    certificate: Type.Optional(Type.String({ description: samlDescriptions.certificate })),
    singleLogout: Type.Object({ ...singleLogoutFields, binding: SamlBinding }),
    attributeProfile: Type.Boolean({ description: samlDescriptions.attributeProfile }),
    idpInitiated: Type.Boolean({ description: samlDescriptions.idpInitiated }),
  },
  {
    title: 'SamlServiceProvider',
    description: 'Inbound SAML 2.0 (WSO2: Inbound Authentication Configuration › SAML2 Web SSO Configuration).',
  },
);

export const SamlServiceProviderInput = Type.Object(
  {
    issuer: Str(MAX_SAML_ISSUER_CHARS, { description: samlDescriptions.issuer }),
    assertionConsumerUrls: Type.Array(samlEndpoint('An Assertion Consumer URL.'), {
      maxItems: MAX_ASSERTION_CONSUMER_URLS,
      description: samlDescriptions.assertionConsumerUrls,
    }),
    defaultAssertionConsumerUrl: Type.Optional(
      Str(2048, { description: samlDescriptions.defaultAssertionConsumerUrl }),
    ),
    nameIdFormat: Type.Optional(SamlNameIdFormat),
    signResponses: Type.Optional(Type.Boolean({ description: samlDescriptions.signResponses })),
    validateRequestSignatures: Type.Optional(Type.Boolean({ description: samlDescriptions.validateRequestSignatures })),
    encryptAssertions: Type.Optional(Type.Boolean({ description: samlDescriptions.encryptAssertions })),
    certificate: Type.Optional(
      Type.String({
        maxLength: MAX_SAML_CERTIFICATE_CHARS,
        description: `${samlDescriptions.certificate} Empty: none.`,
      }),
    ),
    singleLogout: Type.Optional(
      Type.Object(
        { ...singleLogoutFields, enabled: Type.Optional(singleLogoutFields.enabled) },
        { additionalProperties: false, description: 'Default: disabled.' },
      ),
    ),
    attributeProfile: Type.Optional(Type.Boolean({ description: samlDescriptions.attributeProfile })),
    idpInitiated: Type.Optional(Type.Boolean({ description: samlDescriptions.idpInitiated })),
  },
  {
    additionalProperties: false,
    title: 'SamlServiceProviderInput',
    description:
      'The SAML settings as a whole (they replace the stored ones); left-out options take their defaults. DELETE …/saml removes them.',
  },
);

/** A metadata document: JSON `{ xml }`, or the XML itself as application/samlmetadata+xml (read into `{ xml }`). */
export const SAML_METADATA_MEDIA_TYPES = ['application/samlmetadata+xml', 'application/xml', 'text/xml'];
export const SamlMetadataBody = Type.Object(
  {
    xml: Type.String({
      maxLength: MAX_SP_METADATA_CHARS,
      description: "The SP's metadata: one md:EntityDescriptor with an SPSSODescriptor (no DOCTYPE).",
    }),
  },
  {
    additionalProperties: false,
    title: 'SamlMetadataBody',
    // openapi.ts documents these media types beside JSON, each carrying the XML text itself
    'x-raw-media-types': SAML_METADATA_MEDIA_TYPES,
  },
);
const MetadataWarnings = Type.Array(Type.String(), {
  description: 'What the metadata says that the settings cannot hold (other bindings, a second certificate, ...).',
});

const applicationSettings = {
  clientType: ClientType,
  redirectUris: Uris,
  postLogoutRedirectUris: Uris,
  grantTypes: Type.Array(GrantType, { maxItems: 3 }),
  tokenEndpointAuthMethod: Type.Optional(TokenEndpointAuthMethod),
  extraScopes: Type.Array(Str(64), {
    maxItems: 20,
    description: "Scopes beyond the OIDC ones, e.g. 'stepgate:admin'.",
  }),
  subjectClaimUri: Str(255, { description: 'Local claim whose value becomes the ID token sub.' }),
  requestedClaims: Type.Array(Str(255), { maxItems: 100 }),
  steps: Type.Array(AuthenticationStep, {
    maxItems: 10,
    description: 'The authentication sequence, in order; the same for OIDC and SAML logins.',
  }),
};

export const Application = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    clientId: Type.String(),
    hasSecret: Type.Boolean({ description: 'The secret itself is shown only when created or regenerated.' }),
    ...applicationSettings,
    saml: Type.Optional(SamlServiceProvider),
    createdAt: Millis('created'),
    updatedAt: Millis('last changed'),
  },
  { title: 'Application' },
);

const applicationInputFields = {
  description: Type.Optional(Str(1024)),
  clientId: Type.Optional(Str(255, { description: 'Generated when left out; cannot be changed later.' })),
  clientSecret: Type.Optional(
    Type.String({ minLength: 16, maxLength: 512, description: 'Confidential clients: generated when left out.' }),
  ),
  clientType: Type.Optional(applicationSettings.clientType),
  redirectUris: Type.Optional(applicationSettings.redirectUris),
  postLogoutRedirectUris: Type.Optional(applicationSettings.postLogoutRedirectUris),
  grantTypes: Type.Optional(applicationSettings.grantTypes),
  tokenEndpointAuthMethod: applicationSettings.tokenEndpointAuthMethod,
  extraScopes: Type.Optional(applicationSettings.extraScopes),
  subjectClaimUri: Type.Optional(applicationSettings.subjectClaimUri),
  requestedClaims: Type.Optional(applicationSettings.requestedClaims),
  steps: Type.Optional(applicationSettings.steps),
  saml: Type.Optional(SamlServiceProviderInput),
};

export const ApplicationCreate = Type.Object(
  { name: Str(255, { minLength: 1 }), ...applicationInputFields },
  { additionalProperties: false, title: 'ApplicationCreate' },
);
export const ApplicationUpdate = Type.Object(
  { name: Type.Optional(Str(255, { minLength: 1 })), ...applicationInputFields },
  {
    additionalProperties: false,
    title: 'ApplicationUpdate',
    description: 'The fields to change; fields left out keep their values.',
  },
);
export const ApplicationCreated = Type.Object({
  application: Application,
  clientSecret: Type.Optional(Type.String({ description: 'Shown once.' })),
});
export const ClientSecret = Type.Object({ clientSecret: Type.String({ description: 'Shown once.' }) });
export const SamlMetadataImport = Type.Object(
  { application: Application, warnings: MetadataWarnings },
  { title: 'SamlMetadataImport' },
);
export const SamlMetadataRead = Type.Object(
  {
    saml: Type.Object(
      {
        issuer: Type.String(),
        assertionConsumerUrls: Type.Array(Type.String()),
        defaultAssertionConsumerUrl: Type.String(),
        nameIdFormat: Type.Optional(SamlNameIdFormat),
        validateRequestSignatures: Type.Boolean(),
        certificate: Type.Optional(Type.String()),
        singleLogout: Type.Object(singleLogoutFields),
      },
      { description: 'The settings the metadata says; the rest is left to the administrator.' },
    ),
    warnings: MetadataWarnings,
  },
  { title: 'SamlMetadataRead' },
);

// Authenticators and identity providers ------------------------------------------------------------------------------

export const AuthenticatorDescriptor = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    kind: Type.Union([Type.Literal('local'), Type.Literal('federated')]),
    amr: Type.Array(Type.String()),
    configSchema: Type.Optional(
      Type.Unknown({ description: 'JSON Schema of the configuration inside an identity provider.' }),
    ),
    defaultConfig: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { title: 'AuthenticatorDescriptor' },
);

const Config = Type.Record(Type.String(), Type.Unknown(), {
  description: "Configuration; secrets are '********' when read.",
});

export const IdentityProvider = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    displayName: Type.String(),
    description: Type.String(),
    enabled: Type.Boolean(),
    authenticators: Type.Array(Type.Object({ type: Type.String(), enabled: Type.Boolean(), config: Config })),
    createdAt: Millis('created'),
    updatedAt: Millis('last changed'),
    warnings: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
        description: 'In the answer to a save: mistakes that did not block it (e.g. ctx.num without its $).',
      }),
    ),
  },
  { title: 'IdentityProvider' },
);

const FederatedAuthenticatorInput = Type.Object(
  {
    type: Str(64, { description: "Authenticator id, e.g. 'sms-otp'." }),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    config: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: "Send '********' back to keep a stored secret." }),
    ),
  },
  { additionalProperties: false },
);

const idpFields = {
  displayName: Type.Optional(Str(255)),
  description: Type.Optional(Str(1024)),
  enabled: Type.Optional(Type.Boolean()),
  authenticators: Type.Optional(Type.Array(FederatedAuthenticatorInput, { maxItems: 20 })),
};
export const IdentityProviderCreate = Type.Object(
  { name: Str(64, { minLength: 1 }), ...idpFields },
  { additionalProperties: false, title: 'IdentityProviderCreate' },
);
export const IdentityProviderUpdate = Type.Object(
  { name: Type.Optional(Str(64, { minLength: 1 })), ...idpFields },
  {
    additionalProperties: false,
    title: 'IdentityProviderUpdate',
    description: 'The fields to change; fields left out keep their values.',
  },
);

export const RenderedRequest = Type.Object(
  {
    method: Type.String(),
    url: Type.String(),
    headers: Type.Array(Type.Array(Type.String(), { minItems: 2, maxItems: 2 }), {
      description: '[name, value] pairs.',
    }),
    body: Type.Optional(Type.String()),
  },
  { title: 'RenderedRequest', description: 'An SMS provider request with secrets as ******** and the number masked.' },
);

export const TestSmsBody = Type.Object(
  {
    to: Str(32, { minLength: 1, description: 'Mobile number in international format, e.g. +94771234567.' }),
    text: Type.Optional(Str(1600, { minLength: 1 })),
    gateway: Type.Optional(
      Str(64, {
        minLength: 1,
        description:
          "The gateway's name (`default` for a single gateway). Absent: the first gateway of the route the number takes.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const TestSmsResult = Type.Object(
  {
    ok: Type.Boolean({
      description: 'Whether the provider accepted the message. A provider failure is still HTTP 200.',
    }),
    gateway: Type.String({ description: 'The gateway that was asked.' }),
    route: Type.Union([Type.Integer(), Type.Null()], {
      description: 'The index of the route the number matches; null: no route matches.',
    }),
    request: Type.Union([RenderedRequest, Type.Null()]),
    outcome: Type.Object({
      code: Type.Optional(Type.String({ description: 'Failure code (SMSOTP-xxxxx, timeout, tls-untrusted, ...).' })),
      reason: Type.Optional(Type.String()),
      status: Type.Optional(Type.Integer()),
      messageId: Type.Optional(Type.String()),
      latencyMs: Type.Integer(),
      providerAnswer: Type.Optional(Type.String({ description: "The provider's answer, masked." })),
    }),
  },
  { title: 'TestSmsResult' },
);

export const SmsPreviewBody = Type.Object(
  {
    config: Type.Record(Type.String(), Type.Unknown(), {
      description: 'An SMS gateway configuration (the gateway part of the SMS OTP configuration).',
    }),
    to: Str(32, { minLength: 1 }),
    text: Str(1600),
  },
  { additionalProperties: false },
);

export const SmsPreview = Type.Object(
  {
    request: Type.Union([RenderedRequest, Type.Null()], {
      description: 'Null when the configuration cannot produce a request.',
    }),
    problems: Type.Array(
      Type.Object({
        field: Type.String(),
        message: Type.String(),
        severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
      }),
    ),
    segments: Type.Object({
      encoding: Type.Union([Type.Literal('GSM-7'), Type.Literal('UCS-2')]),
      segments: Type.Integer(),
      characters: Type.Integer(),
    }),
  },
  { title: 'SmsPreview' },
);

// Claims -----------------------------------------------------------------------------------------------------------

export const LocalClaim = Type.Object(
  {
    uri: Type.String(),
    displayName: Type.String(),
    description: Type.String(),
    mappedAttribute: Type.String(),
    supportedByDefault: Type.Boolean(),
    required: Type.Boolean(),
    readOnly: Type.Boolean(),
    regex: Type.Union([Type.String(), Type.Null()]),
    displayOrder: Type.Integer(),
    system: Type.Boolean({ description: 'Built in: cannot be deleted.' }),
  },
  { title: 'LocalClaim' },
);

const claimFields = {
  displayName: Str(255, { minLength: 1 }),
  description: Type.Optional(Str(1024)),
  mappedAttribute: Str(128, { minLength: 1 }),
  supportedByDefault: Type.Optional(Type.Boolean()),
  required: Type.Optional(Type.Boolean()),
  readOnly: Type.Optional(Type.Boolean()),
  regex: Type.Optional(Type.Union([Str(1024), Type.Null()])),
  displayOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
};
export const LocalClaimCreate = Type.Object(
  { uri: Str(255, { minLength: 1 }), ...claimFields },
  { additionalProperties: false, title: 'LocalClaimCreate' },
);
export const LocalClaimUpdate = Type.Object(
  {
    ...claimFields,
    displayName: Type.Optional(claimFields.displayName),
    mappedAttribute: Type.Optional(claimFields.mappedAttribute),
  },
  {
    additionalProperties: false,
    title: 'LocalClaimUpdate',
    description: 'The fields to change; fields left out keep their values.',
  },
);

export const ClaimDialect = Type.Object({ uri: Type.String(), mappings: Type.Integer() }, { title: 'ClaimDialect' });
export const ClaimMapping = Type.Object(
  { dialect: Type.String(), externalClaim: Type.String(), localClaimUri: Type.String() },
  { title: 'ClaimMapping' },
);
export const ClaimMappingBody = Type.Object(
  { localClaimUri: Str(255, { minLength: 1 }) },
  { additionalProperties: false },
);

// Users ------------------------------------------------------------------------------------------------------------

const Role = Type.String({ pattern: '^[\\w:.-]{1,64}$', description: "Role name, e.g. 'admin'." });
const ClaimValues = Type.Record(Type.String({ maxLength: 255 }), Type.String({ maxLength: 4096 }), {
  description: 'Values by local claim URI; an empty string removes a value. Backup codes are write-only.',
});

export const User = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    enabled: Type.Boolean(),
    locked: Type.Boolean(),
    lockedUntil: Type.Union([Millis('locked until'), Type.Null()]),
    roles: Type.Array(Type.String()),
    claims: Type.Record(Type.String(), Type.String()),
    backupCodesRemaining: Type.Integer(),
    createdAt: Millis('created'),
    updatedAt: Millis('last changed'),
  },
  { title: 'User' },
);

export const UserCreate = Type.Object(
  {
    username: Str(255, { minLength: 1 }),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    claims: Type.Optional(ClaimValues),
    roles: Type.Optional(Type.Array(Role, { maxItems: 50 })),
  },
  { additionalProperties: false, title: 'UserCreate' },
);
export const UserUpdate = Type.Object(
  {
    claims: Type.Optional(ClaimValues),
    roles: Type.Optional(Type.Array(Role, { maxItems: 50 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'UserUpdate' },
);
export const PasswordBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export const BackupCodes = Type.Object({
  codes: Type.Array(Type.String(), { description: 'Shown once; only hashes are stored.' }),
});

// Truststore, audit, me --------------------------------------------------------------------------------------------

/** 256 KiB of base64 (or PEM text) is more than any real truststore needs. */
export const MAX_CERTIFICATE_CHARS = 256 * 1024;

export const Certificate = Type.Object(
  {
    alias: Type.String(),
    subject: Type.String(),
    issuer: Type.String(),
    notBefore: Millis('valid from'),
    notAfter: Millis('valid until'),
    fingerprint: Type.String({ description: 'SHA-256, colon-separated hex.' }),
    createdAt: Millis('imported'),
  },
  { title: 'Certificate' },
);
export const CertificateImport = Type.Object(
  {
    alias: Str(128, { minLength: 1 }),
    certificate: Type.String({
      minLength: 1,
      maxLength: MAX_CERTIFICATE_CHARS,
      description: 'PEM text, or base64 of a DER certificate, a JKS or a PKCS#12 store.',
    }),
    password: Type.Optional(
      Type.String({ maxLength: 1024, description: 'Store password (JKS integrity check, PKCS#12).' }),
    ),
  },
  { additionalProperties: false, title: 'CertificateImport' },
);

export const AuditEvent = Type.Object(
  {
    id: Type.String(),
    at: Millis('when'),
    event: Type.String(),
    userId: Type.Union([Type.String(), Type.Null()]),
    username: Type.Union([Type.String(), Type.Null()]),
    clientId: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'AuditEvent' },
);

export const Me = Type.Object(
  {
    kind: Type.Union([Type.Literal('client'), Type.Literal('user')]),
    clientId: Type.String(),
    scopes: Type.Array(Type.String()),
    user: Type.Optional(Type.Object({ id: Type.String(), username: Type.String(), roles: Type.Array(Type.String()) })),
  },
  { title: 'Me' },
);

/** Schemas that appear in the OpenAPI document as named components. */
export const COMPONENTS: Record<string, TSchema> = {
  Problem,
  Application,
  ApplicationCreate,
  ApplicationUpdate,
  SamlServiceProvider,
  SamlServiceProviderInput,
  SamlMetadataBody,
  SamlMetadataImport,
  SamlMetadataRead,
  AuthenticatorDescriptor,
  IdentityProvider,
  IdentityProviderCreate,
  IdentityProviderUpdate,
  RenderedRequest,
  TestSmsResult,
  SmsPreview,
  LocalClaim,
  LocalClaimCreate,
  LocalClaimUpdate,
  ClaimDialect,
  ClaimMapping,
  User,
  UserCreate,
  UserUpdate,
  Certificate,
  CertificateImport,
  AuditEvent,
  Me,
};
