// The preset registry, and the functions that turn a preset into plain fields or resolve its field values.
import { type GatewayConfig, gatewayConfig, type PresetSelection, type ProviderId } from '../config.js';
import { CALLBACK_FIELD } from '../receipts/callback-field.js';
import { bulksms } from './bulksms.js';
import { clickatell } from './clickatell.js';
import { plivo } from './plivo.js';
import { twilio } from './twilio.js';
import type { Preset, PresetFields } from './types.js';
import { vonage } from './vonage.js';

export type { AnswerReading, Preset, PresetField, PresetFields, ProviderAnswer } from './types.js';

export const PRESETS: Readonly<Record<ProviderId, Preset>> = { vonage, clickatell, plivo, bulksms, twilio };

export function presetFor(id: ProviderId): Preset {
  return PRESETS[id];
}

/** The preset's field values with declared defaults filled in for blank or missing fields. */
export function resolveFields(selection: PresetSelection): PresetFields {
  const preset = PRESETS[selection.provider];
  const out: Record<string, string> = {};
  for (const field of preset.fields) {
    const given = selection.fields[field.name];
    out[field.name] = given !== undefined && given.trim() !== '' ? given : (field.default ?? '');
  }
  // the receipt callback a send adds (sms/receipts/callback.ts): not a field of any form, never stored
  const callback = selection.fields[CALLBACK_FIELD];
  if (callback) out[CALLBACK_FIELD] = callback;
  return out;
}

/**
 * Plain, editable fields equivalent to the preset, with its number format and its main success rule as plain
 * fields. What is lost: the preset's further success rules, its reading of error texts and message ids, and
 * Vonage's per-message `type=unicode`.
 */
export function presetToPlain(selection: PresetSelection, base: Partial<GatewayConfig> = {}): GatewayConfig {
  const { preset: _dropped, ...rest } = base;
  const preset = PRESETS[selection.provider];
  const main = preset.success.find((r) => 'equals' in r || 'present' in r);
  const success =
    main === undefined || !('pointer' in main)
      ? {}
      : { successPointer: main.pointer, successValue: 'equals' in main ? main.equals : '' };
  return gatewayConfig({
    ...rest,
    ...preset.template(resolveFields(selection)),
    ...success,
    numberFormat: preset.numberFormat,
  });
}
