// Plivo Message API: JSON POST with Basic auth from the auth id and token; 202 with message_uuid.
import { CALLBACK_FIELD } from '../receipts/callback-field.js';
import { at, baseUrlField, basicAuth, enc, headerField, joinUrl, type Preset, parseJson, str } from './types.js';

export const plivo: Preset = {
  id: 'plivo',
  label: 'Plivo',
  docs: 'https://www.plivo.com/docs/messaging/api/message/send-a-message',
  numberFormat: 'e164',
  fields: [
    { name: 'authId', label: 'Auth ID', required: true, help: 'From the Plivo console overview page.' },
    { name: 'authToken', label: 'Auth token', required: true, secret: true, help: 'From the Plivo console.' },
    {
      name: 'src',
      label: 'Source number',
      required: true,
      help: 'A Plivo number (E.164) or a registered alphanumeric sender ID.',
    },
    baseUrlField('https://api.plivo.com'),
  ],
  template(f) {
    const authId = f.authId ?? '';
    return {
      url: joinUrl(f.baseUrl ?? '', `/v1/Account/${enc.url(authId)}/Message/`),
      method: 'POST',
      headers: headerField([
        ['Authorization', basicAuth(authId, f.authToken ?? '')],
        ['Content-Type', 'application/json'],
      ]),
      payload:
        `{"src":"${enc.json(f.src ?? '')}","dst":"$ctx.num","text":"$ctx.msg"` +
        `${f[CALLBACK_FIELD] ? `,"url":"${enc.json(f[CALLBACK_FIELD])}","method":"POST"` : ''}}`,
      expectedStatus: '',
    };
  },
  success: [
    { pointer: '/error', empty: true },
    { pointer: '/invalid_number/0', empty: true },
    { pointer: '/message_uuid/0', present: true },
  ],
  read({ body }) {
    const json = parseJson(body);
    const invalid = at(json, 'invalid_number');
    const error =
      str(at(json, 'error')) ??
      (Array.isArray(invalid) && invalid.length > 0 ? 'Plivo reported the destination number as invalid' : undefined);
    const messageId = str(at(json, 'message_uuid', 0));
    return { ...(messageId !== undefined ? { messageId } : {}), ...(error !== undefined ? { error } : {}) };
  },
};
