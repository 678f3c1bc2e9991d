// Clickatell platform API: JSON POST to /messages with the integration's API key; per-message `accepted`/`error`.
import { at, baseUrlField, enc, headerField, joinUrl, type Preset, parseJson, str } from './types.js';

function errorText(error: unknown, code: unknown, description: unknown): string | undefined {
  if (error === null || error === undefined) return undefined;
  if (typeof error === 'object') {
    const c = str(at(error, 'code'));
    const d = str(at(error, 'description')) ?? str(at(error, 'message'));
    return [c, d].filter(Boolean).join(': ') || JSON.stringify(error);
  }
  return [str(code), str(error), str(description)].filter(Boolean).join(': ');
}

export const clickatell: Preset = {
  id: 'clickatell',
  label: 'Clickatell',
  docs: 'https://docs.clickatell.com/channels/sms-channels/sms-api-reference/',
  numberFormat: 'digits',
  fields: [
    {
      name: 'apiKey',
      label: 'API key',
      required: true,
      secret: true,
      help: 'The API key of an SMS integration in the Clickatell portal (sent as the Authorization header).',
    },
    {
      name: 'from',
      label: 'From',
      help: 'Optional two-way number of the integration; leave blank to use the integration default.',
    },
    baseUrlField('https://platform.clickatell.com'),
  ],
  template(f) {
    const from = (f.from ?? '').trim();
    return {
      url: joinUrl(f.baseUrl ?? '', '/messages'),
      method: 'POST',
      headers: headerField([
        ['Content-Type', 'application/json'],
        ['Accept', 'application/json'],
        ['Authorization', f.apiKey ?? ''],
      ]),
      payload: `{"content":"$ctx.msg","to":["$ctx.num"]${from ? `,"from":"${enc.json(from)}"` : ''}}`,
      expectedStatus: '',
    };
  },
  success: [
    { pointer: '/error', empty: true },
    { pointer: '/messages/0/accepted', equals: 'true' },
    { pointer: '/messages/0/error', empty: true },
  ],
  read({ body }) {
    const json = parseJson(body);
    const first = at(json, 'messages', 0);
    const error =
      errorText(at(json, 'error'), at(json, 'errorCode'), at(json, 'errorDescription')) ??
      errorText(at(first, 'error'), at(first, 'errorCode'), at(first, 'errorDescription'));
    const messageId = str(at(first, 'apiMessageId'));
    return { ...(messageId !== undefined ? { messageId } : {}), ...(error !== undefined ? { error } : {}) };
  },
};
