/**
 * The SMS gateway's own preset declarations and segment counter, bundled into the console so that the preset form
 * is rendered from the same data the server uses, and "Use as custom fields" produces exactly the server's template.
 */
import './buffer-shim.ts';

export type { GatewayConfig, PresetSelection, ProviderId } from '../../../src/sms/config.ts';
export { otpText } from '../../../src/sms/otp-text.ts';
export type { Preset, PresetField } from '../../../src/sms/presets/index.ts';
export { PRESETS, presetToPlain } from '../../../src/sms/presets/index.ts';
export { countSegments, type SegmentCount } from '../../../src/sms/segments.ts';
