// BulkSMS JSON API v1: JSON POST to /v1/messages with Basic auth; 201 with one message object per recipient.
import { at, baseUrlField, basicAuth, enc, headerField, joinUrl, type Preset, parseJson, str } from './types.js';

const FAILED_STATUS_TYPES = ['FAILED', 'UNKNOWN'];

export const bulksms: Preset = {
  id: 'bulksms',
  label: 'BulkSMS',
  docs: 'https://www.bulksms.com/developer/json/v1/',
  numberFormat: 'e164',
  fields: [
    {
      name: 'username',
      label: 'Username or token ID',
      required: true,
      help: 'Your BulkSMS username, or an API token ID.',
    },
    {
      name: 'password',
      label: 'Password or token secret',
      required: true,
      secret: true,
      help: 'The account password, or the secret of the API token (recommended).',
    },
    { name: 'from', label: 'From', help: 'Optional sender ID or number; blank uses the account default.' },
    baseUrlField('https://api.bulksms.com'),
  ],
  template(f) {
    const from = (f.from ?? '').trim();
    return {
      // auto-unicode: BulkSMS switches to UCS-2 itself when the text is not GSM 03.38.
      url: joinUrl(f.baseUrl ?? '', '/v1/messages?auto-unicode=true'),
      method: 'POST',
      headers: headerField([
        ['Authorization', basicAuth(f.username ?? '', f.password ?? '')],
        ['Content-Type', 'application/json'],
      ]),
      payload: `{"to":"$ctx.num","body":"$ctx.msg"${from ? `,"from":"${enc.json(from)}"` : ''}}`,
      expectedStatus: '',
    };
  },
  success: [
    { pointer: '/0/id', present: true },
    { pointer: '/0/status/type', notIn: FAILED_STATUS_TYPES },
  ],
  read({ body }) {
    const json = parseJson(body);
    const first = Array.isArray(json) ? json[0] : undefined;
    const type = str(at(first, 'status', 'type'));
    const subtype = str(at(first, 'status', 'subtype'));
    const error =
      str(at(json, 'detail')) ??
      str(at(json, 'title')) ??
      (type !== undefined && FAILED_STATUS_TYPES.includes(type)
        ? `status ${type}${subtype ? ` (${subtype})` : ''}`
        : undefined);
    const messageId = str(at(first, 'id'));
    return { ...(messageId !== undefined ? { messageId } : {}), ...(error !== undefined ? { error } : {}) };
  },
};
