// The SMS gateway's public surface. It knows nothing of logins, users, databases or HTTP servers.
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RESPONSE_TIMEOUT_MS,
  type GatewayConfig,
  GatewayConfigSchema,
  gatewayConfig,
  HTTP_METHODS,
  type HttpMethod,
  NUMBER_FORMATS,
  type NumberFormat,
  PROVIDER_IDS,
  type PresetSelection,
  PresetSelectionSchema,
  type Problem,
  type ProviderId,
  type SmsMessage,
} from './config.js';
export { type DestinationPolicy, isNonPublicAddress } from './destination.js';
export { EXCERPT_LENGTH, excerpt } from './excerpt.js';
export {
  createSmsGateway,
  isProblem,
  numberFormatOf,
  type SendFailureLog,
  type SmsGateway,
  type SmsGatewayDeps,
} from './gateway.js';
export { type HeaderPair, parseHeaders, serializeHeaders } from './headers.js';
export {
  isSecretParameter,
  MASK,
  maskGatewayConfigForDisplay,
  maskPhone,
  maskSecretsByName,
  SENSITIVE_NAME,
} from './mask.js';
export { type OtpTextParts, otpText, templateFor } from './otp-text.js';
export { PRESETS, type Preset, type PresetField, presetFor, presetToPlain, resolveFields } from './presets/index.js';
export type { RenderedRequest, RequestTemplate } from './render.js';
export {
  codeForStatus,
  mayHaveBeenDelivered,
  type SendFailure,
  type SendFailureCode,
  type SendResult,
  type SendSuccess,
} from './result.js';
export {
  destinationOf,
  maskedPaths,
  mergeSecrets,
  restoreMasked,
  secretValuesOf,
  unresolvedMasks,
} from './secrets.js';
export { countSegments, type SegmentCount } from './segments.js';
export { checkSuccess, type SuccessRule } from './success.js';
export { type ParsedCertificate, parseCertificates, TruststoreParseError } from './truststore/parse.js';
export { effectiveTemplate, validateGatewayConfig } from './validate.js';
