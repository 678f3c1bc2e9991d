// The SMS gateway configuration: one TypeBox schema gives the type, the admin API validation and the console form.
import { type Static, Type } from '@sinclair/typebox';

export const PROVIDER_IDS = ['vonage', 'clickatell', 'plivo', 'bulksms', 'twilio'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const PresetSelectionSchema = Type.Object(
  {
    provider: Type.Union(
      PROVIDER_IDS.map((id) => Type.Literal(id)),
      { title: 'Provider', description: 'The SMS provider whose API this preset speaks.' },
    ),
    fields: Type.Record(Type.String(), Type.String(), {
      title: 'Provider fields',
      description: 'Values for the fields the provider declares (API key, sender, ...).',
      default: {},
    }),
  },
  { additionalProperties: false },
);
export type PresetSelection = Static<typeof PresetSelectionSchema>;

export const HTTP_METHODS = ['GET', 'POST', 'PUT'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const NUMBER_FORMATS = ['default', 'e164', 'digits'] as const;
export type NumberFormat = (typeof NUMBER_FORMATS)[number];

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_RESPONSE_TIMEOUT_MS = 10000;

export const GatewayConfigSchema = Type.Object(
  {
    url: Type.String({
      title: 'SMS URL',
      description: 'Provider endpoint. May contain $ctx.num, $ctx.msg and $ctx.otp (percent-encoded where they land).',
      default: '',
    }),
    method: Type.Union(
      HTTP_METHODS.map((m) => Type.Literal(m)),
      { title: 'HTTP Method', default: 'POST' },
    ),
    headers: Type.String({
      title: 'HTTP Headers',
      description:
        'Name: value pairs separated by commas. Write \\, for a comma inside a value and \\\\ for a backslash.',
      default: '',
    }),
    payload: Type.String({
      title: 'HTTP Payload',
      description: 'Body template, sent for POST and PUT. Placeholders are encoded for the body content type.',
      default: '',
    }),
    expectedStatus: Type.String({
      title: 'HTTP Response Code',
      description: 'The status that means success. Blank: 200, 201 and 202 succeed.',
      default: '',
    }),
    successPointer: Type.String({
      title: 'Success JSON Pointer',
      description:
        'Plain configurations: a JSON Pointer (RFC 6901) into the answer body, e.g. /messages/0/status. Blank: the status alone decides.',
      default: '',
    }),
    successValue: Type.String({
      title: 'Success value',
      description: 'The value at the success JSON Pointer that means sent (e.g. 0). Blank: any non-empty value.',
      default: '',
    }),
    successPattern: Type.String({
      title: 'Success pattern',
      description:
        'Plain configurations: a regular expression (RE2 syntax) the answer body must contain a match of, e.g. ^0\\|. Blank: none.',
      default: '',
    }),
    messageIdPointer: Type.Optional(
      Type.String({
        title: 'Message id JSON Pointer',
        description:
          "Plain configurations: a JSON Pointer (RFC 6901) to the provider's message id in the answer, e.g. /messages/0/id, so that its delivery receipts find the message (docs/delivery-receipts.md). Blank: none.",
        maxLength: 256,
      }),
    ),
    numberFormat: Type.Union(
      NUMBER_FORMATS.map((f) => Type.Literal(f)),
      {
        title: 'Number format',
        description:
          "How $ctx.num is written: e164 (+94771234567) or digits (94771234567). default: the preset's format (digits for Vonage and Clickatell), e164 for a plain configuration.",
        default: 'default',
      },
    ),
    showDetailedErrors: Type.Boolean({
      title: 'Show Detailed Error Information',
      description: "Show the provider's (masked) answer to the user when sending fails.",
      default: false,
    }),
    maskValues: Type.Array(Type.String(), {
      title: 'Mask values in Error Info',
      description: "Literal strings replaced by ******** in the provider's answer and in the logged request.",
      default: [],
    }),
    connectTimeoutMs: Type.Integer({
      title: 'Connect timeout (ms)',
      minimum: 1,
      maximum: 120000,
      default: DEFAULT_CONNECT_TIMEOUT_MS,
    }),
    responseTimeoutMs: Type.Integer({
      title: 'Response timeout (ms)',
      description: 'How long to wait for the response headers, and between chunks of the response body.',
      minimum: 1,
      maximum: 300000,
      default: DEFAULT_RESPONSE_TIMEOUT_MS,
    }),
    preset: Type.Optional(PresetSelectionSchema),
  },
  { additionalProperties: false, title: 'SMS gateway' },
);

export type GatewayConfig = Static<typeof GatewayConfigSchema>;

/** The message one send delivers: the number in E.164, the full text, and the bare OTP for `$ctx.otp`. */
export interface SmsMessage {
  to: string;
  text: string;
  otp?: string;
}

/** A configuration mistake, naming the field it is about. Errors block sending; warnings do not. */
export interface Problem {
  field: string;
  message: string;
  severity: 'error' | 'warning';
}

/** A gateway configuration with every default filled in, for callers that build one in code. */
export function gatewayConfig(partial: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    url: '',
    method: 'POST',
    headers: '',
    payload: '',
    expectedStatus: '',
    successPointer: '',
    successValue: '',
    successPattern: '',
    numberFormat: 'default',
    showDetailedErrors: false,
    maskValues: [],
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    responseTimeoutMs: DEFAULT_RESPONSE_TIMEOUT_MS,
    ...partial,
  };
}
