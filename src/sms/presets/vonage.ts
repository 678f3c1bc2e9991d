// Vonage (Nexmo) SMS API: form POST to /sms/json; a 200 can still carry a failure in messages[0].status.

import { CALLBACK_FIELD } from '../receipts/callback-field.js';
import { countSegments } from '../segments.js';
import { at, baseUrlField, enc, headerField, joinUrl, type Preset, parseJson, str } from './types.js';

export const vonage: Preset = {
  id: 'vonage',
  label: 'Vonage (Nexmo)',
  docs: 'https://developer.vonage.com/en/api/sms',
  numberFormat: 'digits',
  fields: [
    { name: 'apiKey', label: 'API key', required: true, help: 'From the Vonage API dashboard.' },
    { name: 'apiSecret', label: 'API secret', required: true, secret: true, help: 'From the Vonage API dashboard.' },
    {
      name: 'from',
      label: 'From',
      required: true,
      default: 'Stepgate',
      help: 'Sender: a Vonage number or an alphanumeric sender ID (up to 11 characters) where the country allows it.',
    },
    {
      name: 'signatureSecret',
      label: 'Signature secret',
      secret: true,
      help: 'Optional: with signed webhooks on in the Vonage dashboard, delivery receipts must carry a JWT signed with this secret (docs/delivery-receipts.md).',
    },
    baseUrlField('https://rest.nexmo.com'),
  ],
  template(f, message) {
    const unicode = message !== undefined && countSegments(message.text).encoding === 'UCS-2';
    const callback = f[CALLBACK_FIELD] ? `&callback=${enc.form(f[CALLBACK_FIELD])}` : '';
    return {
      url: joinUrl(f.baseUrl ?? '', '/sms/json'),
      method: 'POST',
      headers: headerField([
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['Accept', 'application/json'],
      ]),
      payload:
        `api_key=${enc.form(f.apiKey ?? '')}&api_secret=${enc.form(f.apiSecret ?? '')}` +
        `&from=${enc.form(f.from ?? '')}&to=$ctx.num&text=$ctx.msg${unicode ? '&type=unicode' : ''}${callback}`,
      expectedStatus: '',
    };
  },
  success: [{ pointer: '/messages/0/status', equals: '0' }],
  read({ body }) {
    const first = at(parseJson(body), 'messages', 0);
    const status = str(at(first, 'status'));
    const messageId = str(at(first, 'message-id'));
    const error =
      status !== undefined && status !== '0'
        ? `status ${status}: ${str(at(first, 'error-text')) ?? 'no error text'}`
        : undefined;
    return { ...(messageId !== undefined ? { messageId } : {}), ...(error !== undefined ? { error } : {}) };
  },
};
