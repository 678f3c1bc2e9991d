/**
 * The preset field the receipt callback URL is handed to a preset's template in, for the providers that take one per
 * message (Vonage `callback`, Twilio `StatusCallback`, Plivo `url`). Never stored, never shown in a form. A file of
 * its own, with no imports: the presets (which the console's bundle reads too) need only this name.
 */
export const CALLBACK_FIELD = 'statusCallbackUrl';
