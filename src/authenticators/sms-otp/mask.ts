/** The masked mobile number shown on the code page and written to audit events (WSO2's screen value). */
import type { SmsOtpConfig } from './config.js';

/** Keeps `digitsShown` digits at one end and stars every other digit: `+94771234567` → `+*******4567`. */
export function maskMobile(number: string, mask: SmsOtpConfig['mask']): string {
  const digits = [...number].filter((c) => /\d/.test(c)).length;
  const shown = Math.min(mask.digitsShown, digits);
  let seen = 0;
  return [...number]
    .map((c) => {
      if (!/\d/.test(c)) return c;
      seen += 1;
      const visible = mask.from === 'end' ? seen > digits - shown : seen <= shown;
      return visible ? c : '*';
    })
    .join('');
}
