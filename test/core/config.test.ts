/** Configuration: file plus environment, validated once; a bad value names the key and what is allowed. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'stepgate-config-'));
function file(text: string): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}
function problems(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.message;
  }
  assert.fail('no error');
}

test('defaults apply with no file and no environment', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.port, 9443);
  assert.equal(c.publicUrl, 'http://localhost:9443');
  assert.equal(c.passwordLockout.maxAttempts, 5);
  assert.equal(c.argon2.memoryKiB, 19456);
});

test('the file and the environment combine; the environment wins and is converted to the right type', () => {
  const f = file('port: 9000\npasswordLockout:\n  maxAttempts: 3\n');
  const c = loadConfig({
    file: f,
    env: {
      STEPGATE_PORT: '9100',
      STEPGATE_PASSWORD_LOCKOUT__LOCK_MINUTES: '30',
      DATABASE_URL: 'postgres://db/x',
      STEPGATE_DEV_SMS__ENABLED: 'true',
    },
  });
  assert.equal(c.port, 9100);
  assert.equal(c.passwordLockout.maxAttempts, 3);
  assert.equal(c.passwordLockout.lockMinutes, 30);
  assert.equal(c.databaseUrl, 'postgres://db/x');
  assert.equal(c.devSms.enabled, true);
});

test('without an explicit public URL it follows the port', () => {
  assert.equal(loadConfig({ env: { STEPGATE_PORT: '9611' } }).publicUrl, 'http://localhost:9611');
  assert.equal(
    loadConfig({ env: { STEPGATE_PORT: '9611', STEPGATE_PUBLIC_URL: 'https://id.example.com' } }).publicUrl,
    'https://id.example.com',
  );
});

test('a bad value stops the start with the key, the rule and the environment variable', () => {
  const msg = problems(() => loadConfig({ file: file('port: 99999\n'), env: {} }));
  assert.match(msg, /port: Expected integer to be less or equal to 65535/);
  assert.match(msg, /STEPGATE_PORT/);
  assert.match(
    problems(() => loadConfig({ env: { STEPGATE_MODE: 'staging' } })),
    /^[\s\S]*mode:/m,
  );
  assert.match(
    problems(() => loadConfig({ file: file('nope: 1\n'), env: {} })),
    /Unexpected property|nope/,
  );
});

test('a YAML syntax error names the file and line', () => {
  const f = file('port: 9000\npublicUrl: [unclosed\n');
  assert.match(
    problems(() => loadConfig({ file: f, env: {} })),
    new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line \\d`),
  );
});

test('production mode refuses demo secrets, plain-HTTP public URLs and the dev SMS provider', () => {
  const msg = problems(() =>
    loadConfig({
      env: {
        STEPGATE_MODE: 'production',
        STEPGATE_PUBLIC_URL: 'http://id.example.com',
        STEPGATE_DEV_SMS__ENABLED: 'true',
        STEPGATE_ADMIN_PASSWORD: 'demo-password',
      },
    }),
  );
  assert.match(msg, /publicUrl: production mode needs an https/);
  assert.match(msg, /masterKey/);
  assert.match(msg, /devSms.enabled/);
  assert.match(msg, /demo.adminPassword/);
  const key = Buffer.alloc(32, 1).toString('base64');
  const ok = loadConfig({
    env: { STEPGATE_MODE: 'production', STEPGATE_PUBLIC_URL: 'https://id.example.com/', STEPGATE_MASTER_KEY: key },
  });
  assert.equal(ok.publicUrl, 'https://id.example.com');
  // localhost over plain HTTP stays allowed for local production trials
  assert.equal(
    loadConfig({
      env: { STEPGATE_MODE: 'production', STEPGATE_PUBLIC_URL: 'http://localhost:9443', STEPGATE_MASTER_KEY: key },
    }).mode,
    'production',
  );
});

test('a master key of the wrong length is refused', () => {
  assert.match(
    problems(() => loadConfig({ env: { STEPGATE_MASTER_KEY: Buffer.alloc(16).toString('base64').padEnd(44, 'A') } })),
    /masterKey/,
  );
});
