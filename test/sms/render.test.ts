// The renderer and the header parser: per-location encoding, the seed's five templates, and round-trip properties.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formEncode, jsonStringContent, percentEncode, wellFormed, xmlEscape } from '../../src/sms/encode.js';
import { parseHeaders, serializeHeaders } from '../../src/sms/headers.js';
import { gatewayConfig, validateGatewayConfig } from '../../src/sms/index.js';
import { renderTemplate } from '../../src/sms/render.js';
import { fillJson } from '../../src/sms/template.js';

const MSG = { to: '+94771234567', text: 'Verification Code: 123456', otp: '123456' };
const render = (partial: Parameters<typeof gatewayConfig>[0], message = MSG) => {
  const out = renderTemplate(gatewayConfig(partial), message);
  assert.ok(out.ok, JSON.stringify(out));
  return out.request;
};
const text = fc.string({ unit: 'binary', maxLength: 60 });
const values = (msg: string) => ({ num: '+1', msg, otp: '1' });

describe('the seed guide templates produce correct requests', () => {
  it('Vonage: placeholders in the URL are percent-encoded, POST without body', () => {
    const r = render({
      url: 'https://rest.nexmo.com/sms/json?api_key=<API_KEY>&api_secret=<API_SECRET>&from=NEXMO&to=$ctx.num&text=$ctx.msg',
      expectedStatus: '200',
    });
    const u = new URL(r.url);
    assert.equal(u.searchParams.get('to'), MSG.to);
    assert.equal(u.searchParams.get('text'), MSG.text);
    assert.ok(r.url.includes('to=%2B94771234567&text=Verification%20Code%3A%20123456'));
    assert.equal(r.body, undefined);
  });

  it('Clickatell: the spaces inside the quotes are trimmed and the JSON is valid', () => {
    const r = render({
      url: 'https://api.clickatell.com/rest/message',
      headers: 'X-Version: 1,Authorization: bearer ,Accept: application/json,Content-Type: application/json',
      payload: '{"text":" $ctx.msg ","to":[" $ctx.num "]}',
    });
    assert.deepEqual(JSON.parse(r.body ?? ''), { text: MSG.text, to: [MSG.to] });
    assert.deepEqual(r.headers, [
      ['X-Version', '1'],
      ['Authorization', 'bearer'],
      ['Accept', 'application/json'],
      ['Content-Type', 'application/json'],
    ]);
  });

  it('Plivo: the space after the comma no longer breaks JSON detection; the missing $ is flagged', () => {
    const config = gatewayConfig({
      url: 'https://api.plivo.com/v1/Account/MA123/Message/',
      headers: 'Authorization: Basic ********, Content-Type: application/json',
      payload: '{"src":"+94000000000","dst":"$ctx.num","text":"$ctx.msg"}',
    });
    const out = renderTemplate(config, MSG);
    assert.ok(out.ok);
    assert.deepEqual(JSON.parse(out.request.body ?? ''), { src: '+94000000000', dst: MSG.to, text: MSG.text });
    const typo = validateGatewayConfig({ ...config, payload: '{"src":"+94","dst":"ctx.num","text":"ctx.msg"}' });
    assert.deepEqual(
      typo.map((p) => [p.field, p.severity]),
      [
        ['payload', 'warning'],
        ['payload', 'warning'],
      ],
    );
    assert.match(typo[0]?.message ?? '', /\$ctx\.num/);
  });

  it('Bulksms: URL parameters encoded, form Content-Type kept', () => {
    const r = render({
      url: 'https://bulksms.vsms.net/eapi/submission/send_sms/2/2.0?username=u&password=p&message=$ctx.msg&msisdn=$ctx.num',
      headers: 'Content-Type: application/x-www-form-urlencoded',
    });
    assert.equal(new URL(r.url).searchParams.get('msisdn'), MSG.to);
    assert.equal(new URL(r.url).searchParams.get('message'), MSG.text);
  });

  it('Twilio: form body with + and spaces encoded, Content-Type added', () => {
    const r = render({
      url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json',
      headers: 'Authorization: Basic QUMxOnRvaw==',
      payload: 'Body=$ctx.msg&To=$ctx.num&From=%2B15005550006',
    });
    assert.equal(r.body, 'Body=Verification+Code%3A+123456&To=%2B94771234567&From=%2B15005550006');
    assert.deepEqual(r.headers.at(-1), ['Content-Type', 'application/x-www-form-urlencoded']);
  });
});

describe('JSON placement', () => {
  it('quotes a placeholder outside a string, never double-quotes one inside', () => {
    assert.equal(fillJson('{"a":$ctx.msg,"b":"$ctx.msg"}', values('x"y')), '{"a":"x\\"y","b":"x\\"y"}');
  });
  it('keeps text around a placeholder and only trims blanks touching a quote', () => {
    assert.equal(fillJson('{"t":"Code: $ctx.otp !"}', values('m')), '{"t":"Code: 1 !"}');
    assert.equal(fillJson('{"t":"  $ctx.otp  "}', values('m')), '{"t":"1"}');
  });
  it('ignores placeholder-like text after an escaped quote and in keys', () => {
    assert.equal(fillJson('{"$ctx.num":"\\"$ctx.msg"}', values('v')), '{"+1":"\\"v"}');
  });
  it('JSON content types with parameters and +json suffixes count as JSON', () => {
    for (const ct of ['application/json; charset=utf-8', 'application/vnd.api+json', 'APPLICATION/JSON']) {
      const r = render({ url: 'https://x.test/', headers: `Content-Type: ${ct}`, payload: '{"t":$ctx.msg}' });
      assert.deepEqual(JSON.parse(r.body ?? ''), { t: MSG.text });
    }
  });
  it('an unknown content type inserts values raw', () => {
    const r = render({ url: 'https://x.test/', headers: 'Content-Type: text/plain', payload: 'to $ctx.num: $ctx.msg' });
    assert.equal(r.body, `to ${MSG.to}: ${MSG.text}`);
  });
  it('values with $ and backslash replacement patterns are inserted literally', () => {
    const r = render(
      { url: 'https://x.test/', headers: 'Content-Type: text/plain', payload: '[$ctx.msg]' },
      {
        ...MSG,
        text: "$& $' $` $1 \\ $$",
      },
    );
    assert.equal(r.body, "[$& $' $` $1 \\ $$]");
  });
});

describe('properties', () => {
  it('any string survives a JSON template, inside or outside quotes', () => {
    fc.assert(
      fc.property(text, (s) => {
        const out = JSON.parse(fillJson('{"a":" $ctx.msg ","b":$ctx.msg,"c":["x $ctx.msg"]}', values(s)));
        const wf = wellFormed(s);
        assert.deepEqual(out, { a: wf, b: wf, c: [`x ${wf}`] });
      }),
    );
  });
  it('any string survives URL, form and XML encoding', () => {
    fc.assert(
      fc.property(text, (s) => {
        const wf = wellFormed(s);
        assert.equal(decodeURIComponent(percentEncode(s)), wf);
        assert.equal(new URLSearchParams(`v=${formEncode(s)}`).get('v'), wf);
        assert.match(percentEncode(s), /^[A-Za-z0-9\-_.~%]*$/);
        assert.equal(JSON.parse(`"${jsonStringContent(s)}"`), wf);
        const xml = xmlEscape(s);
        assert.doesNotMatch(xml, /[<>&"'](?!(amp|lt|gt|quot|apos|#13);)/);
      }),
    );
  });
  it('parsing serialized header pairs gives the pairs back', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
    const value = fc.string({ maxLength: 30 }).map((v) => v.replace(/[\r\n]/g, '').trim());
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 6 }), (pairs) => {
        const parsed = parseHeaders(serializeHeaders(pairs));
        assert.ok(parsed.ok);
        assert.deepEqual(parsed.headers, pairs);
      }),
    );
  });
});

describe('header parser', () => {
  const ok = (s: string) => {
    const p = parseHeaders(s);
    assert.ok(p.ok, JSON.stringify(p));
    return p.headers;
  };
  it('splits at the first colon and trims names and values', () => {
    assert.deepEqual(ok('  X-A :  http://x:1/y ,X-B:2'), [
      ['X-A', 'http://x:1/y'],
      ['X-B', '2'],
    ]);
  });
  it('supports \\, for a comma and \\\\ for a backslash; ignores empty pieces', () => {
    assert.deepEqual(ok('X-List: a\\, b,, ,X-Path: c:\\\\d'), [
      ['X-List', 'a, b'],
      ['X-Path', 'c:\\d'],
    ]);
    assert.deepEqual(ok(''), []);
    assert.deepEqual(ok('X-Empty:'), [['X-Empty', '']]);
  });
  it('reports a piece without colon, an empty name and an invalid name', () => {
    const p = parseHeaders('Authorization Basic abc,: v,Bad Name: v');
    assert.ok(!p.ok);
    assert.equal(p.errors.length, 3);
    assert.match(p.errors[0] ?? '', /no colon/);
  });
  it('validateGatewayConfig names the headers field', () => {
    const problems = validateGatewayConfig(gatewayConfig({ url: 'https://x.test/', headers: 'oops' }));
    assert.deepEqual(
      problems.map((p) => [p.field, p.severity]),
      [['headers', 'error']],
    );
  });
});
