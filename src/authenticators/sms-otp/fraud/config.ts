/**
 * The fraud defence options of the SMS OTP configuration (`fraud`): allow and block lists, conversion monitoring,
 * the daily spend cap per gateway and the proof-of-work challenge. One TypeBox schema, like the rest of config.ts,
 * so the admin API, setup files and the console validate and render the same fields. docs/sms-fraud.md explains them.
 */
import { type Static, Type } from '@sinclair/typebox';

/** `+9477` (an E.164 prefix) or `LK` (an ISO 3166 country). */
export const DESTINATION_PATTERN = '^(\\+[0-9]{1,15}|[A-Z]{2})$';
const Destination = Type.String({ pattern: DESTINATION_PATTERN });
const Money = (title: string, description: string) =>
  Type.Number({ title, description, minimum: 0, maximum: 1_000_000, default: 0 });

export const FraudConfigSchema = Type.Object(
  {
    block: Type.Array(Destination, {
      title: 'Blocked destinations',
      description:
        'E.164 prefixes (+4470) or ISO countries (NG): never sent to. The most specific entry of both lists wins.',
      default: [],
      maxItems: 500,
    }),
    allow: Type.Array(Destination, {
      title: 'Allowed destinations',
      description: 'E.164 prefixes or ISO countries that conversion monitoring never throttles.',
      default: [],
      maxItems: 500,
    }),
    conversion: Type.Object(
      {
        minSends: Type.Integer({
          title: 'Minimum volume',
          description:
            'Codes sent to a country or prefix within the window before its conversion is judged; 0 turns monitoring off.',
          minimum: 0,
          maximum: 1_000_000,
          default: 0,
        }),
        windowMinutes: Type.Integer({
          title: 'Window (minutes)',
          description: 'The sliding window over which sent and verified codes are counted.',
          minimum: 6,
          maximum: 10_080,
          default: 60,
        }),
        minVerifiedPercent: Type.Integer({
          title: 'Minimum verified share (%)',
          description: 'Below this share of sent codes verified, sends to that country or prefix are throttled.',
          minimum: 1,
          maximum: 100,
          default: 20,
        }),
        prefixDigits: Type.Integer({
          title: 'Prefix length (digits after the country code)',
          description: 'How a prefix is cut: +94 77 1… is the prefix +94771 with 3.',
          minimum: 1,
          maximum: 8,
          default: 3,
        }),
        action: Type.Union([Type.Literal('refuse'), Type.Literal('slow')], {
          title: 'When conversion drops',
          description: 'refuse: no SMS until the window ages out; slow: at most the slow rate below.',
          default: 'refuse',
        }),
        slowMax: Type.Integer({
          title: 'Slow rate (SMS per window)',
          description: 'With action slow: SMS allowed to a throttled country or prefix per window.',
          minimum: 0,
          maximum: 1_000_000,
          default: 5,
        }),
      },
      { title: 'Conversion monitoring', default: {}, additionalProperties: false },
    ),
    spend: Type.Object(
      {
        defaultPrice: Money('Default price per segment', 'For a destination the price table does not name.'),
        prices: Type.Record(
          Type.String({ pattern: DESTINATION_PATTERN }),
          Type.Number({ minimum: 0, maximum: 1_000_000 }),
          {
            title: 'Price per segment',
            description: 'ISO country or E.164 prefix → price of one SMS segment; the longest match wins.',
            default: {},
          },
        ),
        dailyCaps: Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1_000_000_000 }), {
          title: 'Daily cap per gateway',
          description:
            'Gateway name (default for the single gateway) → spend per UTC day; over it the gateway is skipped. Unnamed: no cap.',
          default: {},
        }),
      },
      { title: 'Daily spend cap', default: {}, additionalProperties: false },
    ),
    challenge: Type.Object(
      {
        softLimitPerIp: Type.Integer({
          title: 'SMS per client IP before a challenge',
          description:
            'Beyond this many SMS from one IP within the window, each send needs a solved proof of work; 0 turns it off.',
          minimum: 0,
          maximum: 1_000_000,
          default: 0,
        }),
        windowMinutes: Type.Integer({ title: 'Window (minutes)', minimum: 1, maximum: 10_080, default: 60 }),
        difficultyBits: Type.Integer({
          title: 'Difficulty (bits)',
          description:
            'Leading zero bits of the SHA-256 the browser must find: each bit doubles the work (18 ≈ a second on a phone).',
          minimum: 1,
          maximum: 28,
          default: 18,
        }),
        expirySeconds: Type.Integer({
          title: 'Challenge lifetime (seconds)',
          minimum: 10,
          maximum: 3600,
          default: 300,
        }),
      },
      { title: 'Proof of work before a send', default: {}, additionalProperties: false },
    ),
  },
  { title: 'Fraud defence', default: {}, additionalProperties: false },
);

export type FraudConfig = Static<typeof FraudConfigSchema>;
