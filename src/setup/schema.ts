/** The declarative setup file (`stepgate apply -f setup.yaml`): claims, identity providers, applications, users. */
import { type Static, Type as T } from '@sinclair/typebox';
import { PasskeySettingsSchema, TotpSettingsSchema } from '../identity/authenticator-settings.js';

const Claim = T.Object(
  {
    uri: T.String({ description: 'Claim URI in the local dialect, e.g. http://wso2.org/claims/otpbackupcodes' }),
    displayName: T.Optional(T.String()),
    description: T.Optional(T.String()),
    mappedAttribute: T.Optional(T.String()),
    supportedByDefault: T.Optional(T.Boolean()),
    required: T.Optional(T.Boolean()),
    readOnly: T.Optional(T.Boolean()),
    regex: T.Optional(T.Union([T.String(), T.Null()])),
    displayOrder: T.Optional(T.Integer()),
  },
  { additionalProperties: false },
);

const Mapping = T.Object(
  { dialect: T.String(), externalClaim: T.String(), localClaimUri: T.String() },
  { additionalProperties: false },
);

const IdentityProvider = T.Object(
  {
    name: T.String(),
    displayName: T.Optional(T.String()),
    description: T.Optional(T.String()),
    enabled: T.Optional(T.Boolean()),
    authenticators: T.Optional(
      T.Array(
        T.Object(
          { type: T.String(), enabled: T.Optional(T.Boolean()), config: T.Optional(T.Record(T.String(), T.Unknown())) },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

/** A step is a list of options; an option is `password`, `smsOTP:sms-otp` (idp:authenticator) or an object. */
const Option = T.Union([
  T.String(),
  T.Object({ authenticator: T.String(), idp: T.Optional(T.String()) }, { additionalProperties: false }),
]);

/**
 * An application's inbound SAML (WSO2: SAML2 Web SSO Configuration): the Issuer and the Assertion Consumer URLs, the
 * rest defaulted as in the admin API. Named in the file, it replaces the stored SAML settings as a whole. With
 * `samlMetadata` beside it, the metadata gives the Issuer and the URLs, and what `saml` names is set on top.
 */
const Saml = T.Object(
  {
    issuer: T.Optional(T.String({ description: "Issuer: the SP's entity ID, unique across applications" })),
    assertionConsumerUrls: T.Optional(T.Array(T.String(), { description: 'Assertion Consumer URLs (HTTP-POST)' })),
    defaultAssertionConsumerUrl: T.Optional(T.String({ description: 'one of the above; default the first' })),
    nameIdFormat: T.Optional(
      T.Union([
        T.Literal('urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'),
        T.Literal('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'),
        T.Literal('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'),
        T.Literal('urn:oasis:names:tc:SAML:2.0:nameid-format:transient'),
      ]),
    ),
    signResponses: T.Optional(T.Boolean({ description: 'Enable Response Signing (default true)' })),
    validateRequestSignatures: T.Optional(
      T.Boolean({ description: 'Enable Signature Validation in Authentication Requests (needs certificate)' }),
    ),
    encryptAssertions: T.Optional(T.Boolean({ description: 'Enable Assertion Encryption (needs certificate)' })),
    certificate: T.Optional(T.String({ description: "the SP's X.509 certificate, PEM" })),
    singleLogout: T.Optional(
      T.Object(
        {
          enabled: T.Optional(T.Boolean({ description: 'Enable Single Logout' })),
          url: T.Optional(T.String({ description: 'SLO Request URL' })),
          responseUrl: T.Optional(T.String({ description: 'SLO Response URL' })),
          binding: T.Optional(T.Union([T.Literal('redirect'), T.Literal('post')])),
        },
        { additionalProperties: false },
      ),
    ),
    attributeProfile: T.Optional(T.Boolean({ description: 'Enable Attribute Profile' })),
    idpInitiated: T.Optional(T.Boolean({ description: 'Enable IdP Initiated SSO' })),
  },
  { additionalProperties: false },
);

/** "Import SP metadata": the SP's EntityDescriptor as a file (relative to the setup file) or as the XML itself. */
const SamlMetadata = T.Object(
  {
    file: T.Optional(T.String({ description: "the SP's metadata file, relative to the setup file's folder" })),
    xml: T.Optional(T.String({ description: "the SP's metadata XML" })),
  },
  { additionalProperties: false },
);

const Application = T.Object(
  {
    name: T.String(),
    description: T.Optional(T.String()),
    clientId: T.Optional(T.String()),
    clientSecret: T.Optional(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: describes the file's ${VAR} syntax, not a template
      T.String({ description: 'confidential clients; use ${ENV_VAR} to keep it out of the file' }),
    ),
    clientType: T.Optional(T.Union([T.Literal('confidential'), T.Literal('public')])),
    redirectUris: T.Optional(T.Array(T.String())),
    postLogoutRedirectUris: T.Optional(T.Array(T.String())),
    grantTypes: T.Optional(
      T.Array(T.Union([T.Literal('authorization_code'), T.Literal('refresh_token'), T.Literal('client_credentials')])),
    ),
    tokenEndpointAuthMethod: T.Optional(T.Union([T.Literal('client_secret_basic'), T.Literal('client_secret_post')])),
    extraScopes: T.Optional(T.Array(T.String())),
    subjectClaimUri: T.Optional(T.String()),
    requestedClaims: T.Optional(T.Array(T.String())),
    steps: T.Optional(T.Array(T.Array(Option, { minItems: 1 }))),
    saml: T.Optional(Saml),
    samlMetadata: T.Optional(SamlMetadata),
  },
  { additionalProperties: false },
);

/**
 * The local authenticators' installation settings (console › Authenticators): the fields named here go over the
 * saved ones (or the defaults) and the result is checked as a whole. Export writes the saved ones in full.
 */
const Authenticators = T.Object(
  {
    totp: T.Optional(T.Partial(TotpSettingsSchema, { additionalProperties: false })),
    passkey: T.Optional(T.Partial(PasskeySettingsSchema, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const User = T.Object(
  {
    username: T.String(),
    password: T.Optional(T.String({ description: 'set when the user is created (or always with --reset-passwords)' })),
    roles: T.Optional(T.Array(T.String())),
    enabled: T.Optional(T.Boolean()),
    claims: T.Optional(T.Record(T.String(), T.String())),
  },
  { additionalProperties: false },
);

export const SetupSchema = T.Object(
  {
    claims: T.Optional(T.Array(Claim)),
    claimMappings: T.Optional(T.Array(Mapping)),
    identityProviders: T.Optional(T.Array(IdentityProvider)),
    authenticators: T.Optional(Authenticators),
    applications: T.Optional(T.Array(Application)),
    users: T.Optional(T.Array(User)),
  },
  { additionalProperties: false },
);

export type Setup = Static<typeof SetupSchema>;
export type SetupApplication = Static<typeof Application>;
export type SetupSaml = Static<typeof Saml>;
export type SetupOption = Static<typeof Option>;
