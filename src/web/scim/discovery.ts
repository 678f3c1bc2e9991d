/**
 * SCIM discovery (RFC 7643 §5–7): the attributes Stepgate supports for Users, its extension schema, the User resource
 * type and the service provider configuration. The attribute definitions also drive filtering (names, caseExact).
 */
import { CORE_USER, RESOURCE_TYPE, SCHEMA, SERVICE_PROVIDER_CONFIG, STEPGATE_USER } from './schema-uris.js';

export interface AttributeDefinition {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'dateTime' | 'reference';
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  subAttributes?: AttributeDefinition[];
  canonicalValues?: string[];
}

const attr = (name: string, description: string, extra: Partial<AttributeDefinition> = {}): AttributeDefinition => ({
  name,
  type: 'string',
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

export const USER_ATTRIBUTES: AttributeDefinition[] = [
  attr('id', 'Unique identifier assigned by Stepgate.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  // Stepgate stores user names case-folded (RFC 8265 UsernameCaseMapped), so userName compares without case
  attr('userName', 'Unique user name, stored case-folded; Stepgate cannot rename a user.', {
    required: true,
    caseExact: false,
    mutability: 'immutable',
    uniqueness: 'server',
  }),
  attr('name', "The user's name, from the local claims givenname and lastname.", {
    type: 'complex',
    subAttributes: [
      attr('givenName', 'http://wso2.org/claims/givenname'),
      attr('familyName', 'http://wso2.org/claims/lastname'),
      attr('formatted', 'Given and family name.', { mutability: 'readOnly' }),
    ],
  }),
  attr('active', 'Whether the user may log in.', { type: 'boolean' }),
  attr('password', 'Write-only: sets the password.', { mutability: 'writeOnly', returned: 'never', caseExact: true }),
  attr('emails', 'One address, the local claim emailaddress.', {
    multiValued: true,
    type: 'complex',
    subAttributes: [
      attr('value', 'The address.'),
      attr('type', 'work, home or other.', { canonicalValues: ['work', 'home', 'other'] }),
      attr('primary', 'Primary address.', { type: 'boolean' }),
    ],
  }),
  attr(
    'phoneNumbers',
    'The mobile number (type mobile), the local claim mobile; SMS one-time passwords go to it. Other types are not stored.',
    {
      multiValued: true,
      type: 'complex',
      subAttributes: [
        attr('value', 'The number, preferably E.164.'),
        attr('type', 'mobile.', { canonicalValues: ['mobile'] }),
        attr('primary', 'Primary number.', { type: 'boolean' }),
      ],
    },
  ),
  attr('roles', 'Stepgate roles, e.g. admin.', {
    multiValued: true,
    type: 'complex',
    subAttributes: [attr('value', 'The role name.', { caseExact: true })],
  }),
];

export const EXTENSION_ATTRIBUTES: AttributeDefinition[] = [
  attr('smsOtpDisabled', 'Disable SMSOTP: the local claim http://wso2.org/claims/identity/smsotp_disabled.', {
    type: 'boolean',
  }),
  attr('backupCodes', 'Write-only backup codes for SMS OTP; replaces every code of the user. Stored hashed.', {
    multiValued: true,
    mutability: 'writeOnly',
    returned: 'never',
    caseExact: true,
  }),
];

const META_ATTRIBUTES: AttributeDefinition[] = [
  attr('meta', 'Resource metadata.', {
    type: 'complex',
    mutability: 'readOnly',
    subAttributes: [
      attr('resourceType', 'User.', { mutability: 'readOnly', caseExact: true }),
      attr('created', 'When created.', { type: 'dateTime', mutability: 'readOnly' }),
      attr('lastModified', 'When last changed.', { type: 'dateTime', mutability: 'readOnly' }),
      attr('location', 'URI of the resource.', { type: 'reference', mutability: 'readOnly', caseExact: true }),
      attr('version', 'Weak version tag.', { mutability: 'readOnly', caseExact: true }),
    ],
  }),
];

/** Definition of an attribute by schema and (case-insensitive) name, for filters and PATCH paths. */
export function definitionOf(schema: string, name: string): AttributeDefinition | undefined {
  const list = schema === STEPGATE_USER ? EXTENSION_ATTRIBUTES : [...USER_ATTRIBUTES, ...META_ATTRIBUTES];
  return list.find((a) => a.name.toLowerCase() === name.toLowerCase());
}

export function schemaDocuments(base: string) {
  return [
    {
      schemas: [SCHEMA],
      id: CORE_USER,
      name: 'User',
      description: 'User account',
      attributes: USER_ATTRIBUTES,
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${CORE_USER}` },
    },
    {
      schemas: [SCHEMA],
      id: STEPGATE_USER,
      name: 'StepgateUser',
      description: 'Stepgate claims for SMS OTP',
      attributes: EXTENSION_ATTRIBUTES,
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${STEPGATE_USER}` },
    },
  ];
}

export function resourceTypeDocuments(base: string) {
  return [
    {
      schemas: [RESOURCE_TYPE],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User account',
      schema: CORE_USER,
      schemaExtensions: [{ schema: STEPGATE_USER, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
  ];
}

export const MAX_RESULTS = 200;

export function serviceProviderConfig(base: string) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG],
    documentationUri: 'https://stepgate.dev/docs/scim',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: true },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          'An access token issued by Stepgate with the stepgate:admin scope (client credentials or an admin user).',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}
