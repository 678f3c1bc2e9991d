// Types the shared server modules (src/sms/presets) mention and the console provides itself (sms/buffer-shim.ts).
declare const Buffer: { from(text: string, encoding: 'utf8'): { toString(encoding: 'base64'): string } };
