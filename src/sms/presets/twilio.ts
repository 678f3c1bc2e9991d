// Twilio Messages API: form POST to /2010-04-01/Accounts/{sid}/Messages.json with Basic auth; 201 with `sid`.
import { CALLBACK_FIELD } from '../receipts/callback-field.js';
import { at, baseUrlField, basicAuth, enc, headerField, joinUrl, type Preset, parseJson, str } from './types.js';

const FAILED = ['failed', 'undelivered', 'canceled'];

export const twilio: Preset = {
  id: 'twilio',
  label: 'Twilio',
  docs: 'https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource',
  numberFormat: 'e164',
  fields: [
    { name: 'accountSid', label: 'Account SID', required: true, help: 'Starts with AC; from the Twilio console.' },
    { name: 'authToken', label: 'Auth token', required: true, secret: true, help: 'From the Twilio console.' },
    {
      name: 'from',
      label: 'From number',
      help: 'A Twilio number in E.164 (+15005550006). Or use a messaging service.',
    },
    {
      name: 'messagingServiceSid',
      label: 'Messaging service SID',
      help: 'Starts with MG; used instead of From when set.',
    },
    baseUrlField('https://api.twilio.com'),
  ],
  check(f) {
    return (f.from ?? '').trim() === '' && (f.messagingServiceSid ?? '').trim() === ''
      ? ['set either From number or Messaging service SID']
      : [];
  },
  template(f) {
    const sid = f.accountSid ?? '';
    const service = (f.messagingServiceSid ?? '').trim();
    const sender = service ? `MessagingServiceSid=${enc.form(service)}` : `From=${enc.form((f.from ?? '').trim())}`;
    return {
      url: joinUrl(f.baseUrl ?? '', `/2010-04-01/Accounts/${enc.url(sid)}/Messages.json`),
      method: 'POST',
      headers: headerField([
        ['Authorization', basicAuth(sid, f.authToken ?? '')],
        ['Content-Type', 'application/x-www-form-urlencoded'],
      ]),
      payload: `To=$ctx.num&${sender}&Body=$ctx.msg${f[CALLBACK_FIELD] ? `&StatusCallback=${enc.form(f[CALLBACK_FIELD])}` : ''}`,
      expectedStatus: '',
    };
  },
  success: [
    { pointer: '/sid', present: true },
    { pointer: '/status', notIn: FAILED },
  ],
  read({ body }) {
    const json = parseJson(body);
    const status = str(at(json, 'status'));
    const sid = str(at(json, 'sid'));
    let error = [str(at(json, 'code')), str(at(json, 'message'))].filter(Boolean).join(': ') || undefined;
    if (status !== undefined && FAILED.includes(status)) {
      const detail = [str(at(json, 'error_code')), str(at(json, 'error_message'))].filter(Boolean).join(': ');
      error = `message ${status}${detail ? ` (${detail})` : ''}`;
    }
    return { ...(sid !== undefined ? { messageId: sid } : {}), ...(error !== undefined ? { error } : {}) };
  },
};
