// The admin API's objects as the console uses them (see /api/admin/v1/openapi.json for the full document).
// The domain shapes come from the server's own type module, so a change there is a type error here.
export type {
  Application,
  ApplicationSettings,
  AuthenticationStep,
  ClaimMapping,
  ClientType,
  FederatedAuthenticatorConfig,
  GrantType,
  IdentityProvider,
  LocalClaim,
  SamlNameIdFormat,
  SamlServiceProviderSettings,
  SequenceOption,
} from '../../../src/identity/types.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldProblem[];
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export interface Me {
  kind: 'client' | 'user';
  clientId: string;
  scopes: string[];
  user?: { id: string; username: string; roles: string[] };
}

/** A JSON Schema (TypeBox output) as far as the console's form renderer reads it. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  /** annotations some schemas carry for the console */
  secret?: boolean;
  writeOnly?: boolean;
  [key: string]: unknown;
}

export interface AuthenticatorInfo {
  id: string;
  displayName: string;
  kind: 'local' | 'federated';
  amr: string[];
  configSchema?: JsonSchema;
  defaultConfig?: Record<string, unknown>;
}

export interface RenderedRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: string;
}

export interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  characters: number;
}

export interface TestSmsResult {
  ok: boolean;
  /** the gateway that was asked */
  gateway: string;
  /** the index of the route the number matches; null: none */
  route: number | null;
  request: RenderedRequest | null;
  outcome: {
    code?: string;
    reason?: string;
    status?: number;
    messageId?: string;
    latencyMs?: number;
    providerAnswer?: string;
  };
}

export interface SmsPreview {
  request: RenderedRequest | null;
  problems?: { field: string; message: string; severity: 'error' | 'warning' }[];
  segments: SegmentCount;
}

export interface ClaimDialect {
  uri: string;
  [key: string]: unknown;
}

export interface User {
  id: string;
  username: string;
  enabled: boolean;
  locked: boolean;
  lockedUntil: number | null;
  roles: string[];
  claims: Record<string, string>;
  backupCodesRemaining: number;
  createdAt: number;
  updatedAt: number;
}

export interface TrustedCertificate {
  alias: string;
  subject: string;
  issuer: string;
  notBefore: number | string;
  notAfter: number | string;
  fingerprint?: string;
  createdAt?: number | string;
}

export interface AuditEvent {
  id: string | number;
  at: number | string;
  event: string;
  outcome?: string;
  username?: string | null;
  userId?: string | null;
  clientId?: string | null;
  ip?: string | null;
  reason?: string | null;
  data?: Record<string, unknown> | null;
  [key: string]: unknown;
}
