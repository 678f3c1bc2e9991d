/**
 * Which numbers never get an SMS because of their type (SMS pumping and toll fraud): premium-rate and shared-cost by
 * default, VoIP and others when the operator adds them, per country if wanted. The type comes from
 * libphonenumber-js's `max` metadata (the `min` build cannot tell types for most countries).
 */
import { type NumberType, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export const NUMBER_TYPES = [
  'PREMIUM_RATE',
  'SHARED_COST',
  'TOLL_FREE',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'MOBILE',
] as const satisfies readonly NonNullable<NumberType>[];
export type RefusableNumberType = (typeof NUMBER_TYPES)[number];

export interface NumberTypePolicy {
  refuseNumberTypes: readonly string[];
  refuseNumberTypesByCountry: Readonly<Record<string, readonly string[]>>;
}

/** The number's type when the policy refuses it, else undefined (an unknown type is not refused). */
export function refusedNumberType(e164: string, policy: NumberTypePolicy): RefusableNumberType | undefined {
  const parsed = parsePhoneNumberFromString(e164);
  const type = parsed?.getType();
  if (parsed === undefined || type === undefined) return undefined;
  const refused = (parsed.country && policy.refuseNumberTypesByCountry[parsed.country]) || policy.refuseNumberTypes;
  return refused.includes(type) ? (type as RefusableNumberType) : undefined;
}
