/**
 * The SMS OTP authenticator's configuration inside the `smsOTP` identity provider: one TypeBox schema gives the
 * type, the defaults, the admin API validation and the console form. Option names map to WSO2's in docs/sms-otp.md.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { deepFreeze } from '../../identity/config-cache.js';
import { GatewayConfigSchema } from '../../sms/index.js';
import { FraudConfigSchema } from './fraud/config.js';
import { NUMBER_TYPES } from './number-type.js';

/**
 * The SMS text shipped in each language besides English (the messageTemplate default). The Spanish one is written
 * without accents on purpose: ó and á are not in the GSM 03.38 alphabet, and one of them makes the whole SMS UCS-2
 * (70 characters a segment instead of 160). Sinhala is UCS-2 whatever one writes.
 */
export const DEFAULT_TEMPLATES = { es: 'Codigo de verificacion: {code}', si: 'සත්‍යාපන කේතය: {code}' } as const;

const Limit = (title: string, max: number, windowMinutes: number) =>
  Type.Object(
    {
      max: Type.Integer({
        title: 'Maximum SMS',
        minimum: 0,
        maximum: 1_000_000,
        default: max,
        description: '0 turns this limit off.',
      }),
      windowMinutes: Type.Integer({ title: 'Window (minutes)', minimum: 1, maximum: 10_080, default: windowMinutes }),
    },
    { title, default: {}, additionalProperties: false },
  );

/** One gateway of the ordered list: a name, what a single gateway is, and whether a timeout may fail over. */
export const NamedGatewaySchema = Type.Object(
  {
    name: Type.String({
      title: 'Name',
      description: 'Names the gateway in routes, audit events and the breaker status.',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
    }),
    ...GatewayConfigSchema.properties,
    failoverOnTimeout: Type.Boolean({
      title: 'Fail over on timeout',
      description:
        'A timeout moves to the next gateway too. Off: a timeout stops there, since the message may be on its way.',
      default: false,
    }),
  },
  { additionalProperties: false, title: 'SMS gateway' },
);

export const RouteSchema = Type.Object(
  {
    match: Type.Object(
      {
        prefixes: Type.Optional(
          Type.Array(Type.String({ pattern: '^\\+[0-9]{1,15}$' }), {
            title: 'E.164 prefixes',
            description: 'e.g. +94, +4477. Routes are tried in order; the first that matches wins.',
          }),
        ),
        countries: Type.Optional(
          Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), { title: 'Countries', description: 'ISO 3166 codes.' }),
        ),
      },
      { additionalProperties: false, title: 'Destinations' },
    ),
    gateways: Type.Array(Type.String(), {
      title: 'Gateways',
      description: 'Names of gateways, tried in this order.',
      minItems: 1,
    }),
  },
  { additionalProperties: false, title: 'Route' },
);

export const SmsOtpConfigSchema = Type.Object(
  {
    gateway: Type.Object(GatewayConfigSchema.properties, {
      ...GatewayConfigSchema,
      title: 'SMS gateway',
      description: 'A single gateway (the shape before gateways). Ignored when gateways lists any.',
      default: {},
    }),
    gateways: Type.Array(NamedGatewaySchema, {
      title: 'SMS gateways',
      description:
        'Gateways in failover order; a definitive failure of one moves to the next. Empty: the single gateway.',
      default: [],
      maxItems: 10,
    }),
    routes: Type.Array(RouteSchema, {
      title: 'Routes',
      description: 'Which gateways serve which destinations; unmatched numbers use every gateway in order.',
      default: [],
      maxItems: 100,
    }),
    breaker: Type.Object(
      {
        failures: Type.Integer({
          title: 'Failures before the breaker opens',
          description: '0 turns the breaker off.',
          minimum: 0,
          maximum: 1000,
          default: 5,
        }),
        windowSeconds: Type.Integer({ title: 'Failure window (seconds)', minimum: 1, maximum: 3600, default: 60 }),
        coolDownSeconds: Type.Integer({
          title: 'Cool-down (seconds)',
          description: 'How long an open breaker skips the gateway before one trial send.',
          minimum: 1,
          maximum: 3600,
          default: 30,
        }),
      },
      { title: 'Circuit breaker', default: {}, additionalProperties: false },
    ),
    refuseNumberTypes: Type.Array(Type.Union(NUMBER_TYPES.map((t) => Type.Literal(t))), {
      title: 'Refused number types',
      description: 'Numbers of these types (libphonenumber metadata) never get an SMS, e.g. VOIP.',
      default: ['PREMIUM_RATE', 'SHARED_COST'],
    }),
    refuseNumberTypesByCountry: Type.Record(
      Type.String({ pattern: '^[A-Z]{2}$' }),
      Type.Array(Type.Union(NUMBER_TYPES.map((t) => Type.Literal(t)))),
      {
        title: 'Refused number types per country',
        description: 'Replaces the refused types for numbers of that country (ISO code → types).',
        default: {},
      },
    ),
    otpLength: Type.Integer({ title: 'SMS OTP length', minimum: 4, maximum: 10, default: 6 }),
    expirySeconds: Type.Integer({
      title: 'SMS OTP expiry time (seconds)',
      description: 'How long a code stays valid after it was sent. WSO2 sets this in minutes: 5 minutes is 300.',
      minimum: 1,
      maximum: 86_400,
      default: 300,
    }),
    numericOnly: Type.Boolean({
      title: 'Use only numeric characters for OTP',
      description: 'Off: codes use A–Z and 0–9.',
      default: true,
    }),
    retryEnabled: Type.Boolean({
      title: 'Retry',
      description: 'After a wrong or expired code, show the code page again (off: end the login).',
      default: true,
    }),
    resendEnabled: Type.Boolean({
      title: 'Resend',
      description: 'Offer "Resend code" on the code page.',
      default: true,
    }),
    resendCooldownSeconds: Type.Integer({
      title: 'Resend cooldown (seconds)',
      description: 'Time between two SMS of one login.',
      minimum: 0,
      maximum: 3600,
      default: 30,
    }),
    maxResends: Type.Integer({ title: 'Resends per login', minimum: 0, maximum: 50, default: 5 }),
    maxWrongCodesPerOtp: Type.Integer({
      title: 'Wrong codes per OTP',
      description: 'After this many wrong codes the code is dead and the user must ask for a new one.',
      minimum: 1,
      maximum: 20,
      default: 3,
    }),
    mandatory: Type.Boolean({
      title: 'SMS OTP mandatory',
      description: 'Users who disabled SMS OTP, or who are not in the user store, cannot log in.',
      default: false,
    }),
    enableByUserClaim: Type.Boolean({
      title: 'Enable by user claim',
      description: 'Honour the user claim http://wso2.org/claims/identity/smsotp_disabled.',
      default: true,
    }),
    captureMobile: Type.Boolean({
      title: 'Capture and update mobile number',
      description: 'Ask users without a mobile number for one; it is saved to their profile after a correct code.',
      default: true,
    }),
    mobileRegex: Type.String({
      title: 'Mobile number regex pattern',
      description: 'Checked on the server against the E.164 form of a captured number. Blank: no pattern.',
      default: '',
    }),
    mobileRegexMessage: Type.String({
      title: 'Regex violation error message',
      default: 'Mobile number pattern policy violated',
    }),
    defaultCountry: Type.String({
      title: 'Default country',
      description: 'ISO 3166 code for numbers typed without +country code (e.g. LK). Blank: + is required.',
      default: '',
    }),
    backupCodes: Type.Boolean({
      title: 'Backup codes',
      description: 'Accept a backup code in the code box.',
      default: true,
    }),
    lockout: Type.Object(
      {
        enabled: Type.Boolean({ title: 'Enable account locking for failed attempts', default: true }),
        maxAttempts: Type.Integer({ title: 'Failed attempts before locking', minimum: 1, maximum: 100, default: 5 }),
        lockMinutes: Type.Integer({ title: 'Lock duration (minutes)', minimum: 1, maximum: 10_080, default: 15 }),
      },
      { title: 'Account locking', default: {}, additionalProperties: false },
    ),
    mask: Type.Object(
      {
        digitsShown: Type.Integer({ title: 'Digits shown', minimum: 0, maximum: 8, default: 4 }),
        from: Type.Union([Type.Literal('end'), Type.Literal('start')], {
          title: 'Shown from',
          description: 'end: ********4567; start: +9477********.',
          default: 'end',
        }),
      },
      { title: 'Masked mobile number', default: {}, additionalProperties: false },
    ),
    messageTemplate: Type.String({
      title: 'Message template',
      description:
        'The SMS text; {code} is the code, {minutes} its lifetime in minutes, {application} the application name.',
      default: 'Verification Code: {code}',
    }),
    templates: Type.Object(
      {
        es: Type.Optional(Type.String({ title: 'Spanish (es)' })),
        si: Type.Optional(Type.String({ title: 'Sinhala (si)' })),
      },
      {
        title: 'Message template per language',
        description:
          'The SMS text for a login in that language (docs/languages.md); a language without one uses the message template above.',
        default: { ...DEFAULT_TEMPLATES },
        additionalProperties: false,
      },
    ),
    webOtp: Type.Boolean({
      title: 'WebOTP line',
      description: 'End the SMS with "@<host> #<code>" so browsers and phones can fill the code in.',
      default: true,
    }),
    androidAppHash: Type.Record(Type.String(), Type.String({ pattern: '^[A-Za-z0-9+/]{11}$' }), {
      title: 'Android app hash per application',
      description:
        'Application name → the 11-character SMS Retriever hash of its Android app, put on a line before the WebOTP line.',
      default: {},
    }),
    limits: Type.Object(
      {
        perNumber: Limit('Per phone number', 5, 60),
        perAccount: Limit('Per account', 10, 1440),
        perIp: Limit('Per client IP address', 20, 60),
        globalPerHour: Type.Integer({
          title: 'Global SMS per hour',
          description: 'Across all users and nodes; 0 turns it off.',
          minimum: 0,
          maximum: 10_000_000,
          default: 1000,
        }),
        allowedCountries: Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), {
          title: 'Allowed destination countries',
          description: 'ISO 3166 codes such as LK, GB; empty: all countries.',
          default: [],
        }),
      },
      { title: 'Send limits', default: {}, additionalProperties: false },
    ),
    // allow and block lists, conversion monitoring, the daily spend cap, proof of work (docs/sms-fraud.md)
    fraud: FraudConfigSchema,
  },
  { additionalProperties: false, title: 'SMS OTP' },
);

export type SmsOtpConfig = Static<typeof SmsOtpConfigSchema>;
export type NamedGateway = Static<typeof NamedGatewaySchema>;
export type SmsRoute = Static<typeof RouteSchema>;

/** Every option at its default (the gateway blank), as a new `smsOTP` identity provider starts. */
export const defaultSmsOtpConfig: SmsOtpConfig = Value.Default(SmsOtpConfigSchema, {}) as SmsOtpConfig;

/** Frozen stored configurations (from the per-node configuration cache) and their filled-in form. */
const filledIn = new WeakMap<object, SmsOtpConfig>();

/**
 * The stored configuration with defaults filled in; the identity-provider store validated it on save. A frozen
 * configuration comes from the configuration cache and is the same object until it changes, so it is filled in once
 * (and the result frozen too), not on every step of every login.
 */
export function readConfig(raw: Record<string, unknown>): SmsOtpConfig {
  const known = filledIn.get(raw);
  if (known) return known;
  const config = Value.Default(
    SmsOtpConfigSchema,
    Value.Convert(SmsOtpConfigSchema, structuredClone(raw)),
  ) as SmsOtpConfig;
  if (Object.isFrozen(raw)) filledIn.set(raw, deepFreeze(config));
  return config;
}
