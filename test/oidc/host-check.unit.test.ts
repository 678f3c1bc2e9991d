/** The host rule on its own (on top of host.test.ts, which drives it over HTTP): what counts as the public host. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostRule, isAddressedToUs } from '../../src/web/host-check.js';

const https = hostRule('https://id.example.com', { development: false, trustProxy: false });
const dev = hostRule('http://localhost:9443', { development: true, trustProxy: false });
const prod = hostRule('http://localhost:9443', { development: false, trustProxy: false });
const proxied = hostRule('https://id.example.com', { development: false, trustProxy: true });

test('the public host, in any case and with its default port written out, is ours', () => {
  for (const host of ['id.example.com', 'ID.Example.COM', 'id.example.com:443'])
    assert.equal(isAddressedToUs({ host }, https), true, host);
});

test('near misses of the public host are not', () => {
  for (const host of [
    'id.example.com:80',
    'id.example.com:8443',
    'id.example.com.',
    'xid.example.com',
    'id.example.com.evil.example',
    'evil.example',
    'id.example.com@evil.example',
    'id.example.com/evil',
    'id.example.com evil',
    '',
  ])
    assert.equal(isAddressedToUs({ host }, https), false, host);
  assert.equal(isAddressedToUs({}, https), false, 'no Host at all');
});

test('loopback aliases with the same port only in development', () => {
  for (const host of ['localhost:9443', '127.0.0.1:9443', '[::1]:9443'])
    assert.equal(isAddressedToUs({ host }, dev), true, host);
  for (const host of ['127.0.0.1:9444', '127.0.0.2:9443', '0x7f.1:9443', '2130706433:9443', '127.1:9443'])
    assert.equal(isAddressedToUs({ host }, dev), false, host);
  assert.equal(isAddressedToUs({ host: 'localhost:9443' }, prod), true);
  assert.equal(isAddressedToUs({ host: '127.0.0.1:9443' }, prod), false);
});

test('X-Forwarded-Host counts only behind a trusted proxy, and then every reading of it must be ours', () => {
  assert.equal(isAddressedToUs({ host: 'id.example.com', 'x-forwarded-host': 'evil.example' }, https), true);
  assert.equal(isAddressedToUs({ host: 'internal:9443', 'x-forwarded-host': 'id.example.com' }, proxied), true);
  assert.equal(isAddressedToUs({ host: 'id.example.com', 'x-forwarded-host': 'evil.example' }, proxied), false);
  assert.equal(
    isAddressedToUs({ host: 'id.example.com', 'x-forwarded-host': 'evil.example,id.example.com' }, proxied),
    false,
  );
  assert.equal(
    isAddressedToUs({ host: 'id.example.com', 'x-forwarded-host': 'id.example.com, evil.example' }, proxied),
    false,
  );
  assert.equal(isAddressedToUs({ host: 'id.example.com' }, proxied), true, 'no X-Forwarded-Host: Host decides');
});
