/** The `stepgate` command as an operator runs it: a real process, a config file, clear messages and exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { json, makeSelfSignedCertificate, startHttpsServer } from '../sms/support/tls.js';
import { runStepgate } from './support.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'stepgate-cli-'));
const configFile = join(dir, 'stepgate.yaml');
writeFileSync(
  configFile,
  `dataDir: ${join(dir, 'data')}\nmasterKey: ${Buffer.alloc(32, 3).toString('base64')}\nargon2:\n  memoryKiB: 8192\n  iterations: 1\n`,
);

/** Runs the CLI with a clean environment, so the suite's DATABASE_URL does not leak into the operator's view. */
function stepgate(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'stepgate.js'), '-c', configFile, ...args], {
    cwd: dir,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** The same, without blocking this process: needed when the test itself serves the SMS provider the CLI calls. */
const stepgateAsync = (args: string[]) => runStepgate(configFile, args);

describe('stepgate CLI', () => {
  test('help, and an unknown command or option is a clear usage error', () => {
    const help = stepgate(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /truststore import --file <cert> --alias <name>/);
    const unknown = stepgate(['frobnicate']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /stepgate: unknown command "frobnicate"/);
    const badOption = stepgate(['user', 'add', 'x', '--colour', 'blue']);
    assert.equal(badOption.code, 1);
    assert.match(badOption.err, /Unknown option '--colour'/);
    assert.doesNotMatch(badOption.err, / {4}at /);
  });

  test('truststore import / list / delete, like keytool -importcert', () => {
    const cert = makeSelfSignedCertificate('sms.provider.test');
    const pem = join(dir, 'provider.pem');
    const der = join(dir, 'provider.der');
    writeFileSync(pem, cert.certPem);
    writeFileSync(der, cert.certDer);
    const imported = stepgate(['truststore', 'import', '--file', pem, '--alias', 'Nexmo']);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /Imported Nexmo: .*sms.provider.test/);
    assert.equal(stepgate(['truststore', 'import', '--file', der, '--alias', 'nexmo-der']).code, 0);
    const dup = stepgate(['truststore', 'import', '--file', pem, '--alias', 'Nexmo']);
    assert.equal(dup.code, 1);
    assert.match(dup.err, /alias Nexmo exists already/);
    const list = stepgate(['truststore', 'list']);
    assert.match(list.out, /ALIAS\s+SUBJECT\s+ISSUER\s+EXPIRES/);
    assert.match(list.out, /Nexmo\s+CN=sms.provider.test/);
    assert.match(list.out, /nexmo-der/);
    const garbage = join(dir, 'garbage.txt');
    writeFileSync(garbage, 'not a certificate');
    const bad = stepgate(['truststore', 'import', '--file', garbage, '--alias', 'junk']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /garbage.txt: /);
    assert.equal(stepgate(['truststore', 'delete', 'Nexmo']).code, 0);
    assert.doesNotMatch(stepgate(['truststore', 'list']).out, /Nexmo\s/);
    const missing = stepgate(['truststore', 'delete', 'Nexmo']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /certificate "Nexmo" does not exist/);
  });

  test('users: add, change the password from standard input, unlock; bad input is explained', () => {
    const add = stepgate([
      'user',
      'add',
      'operator',
      '--password',
      'a long password',
      '--mobile',
      '+94771230000',
      '--role',
      'admin',
    ]);
    assert.equal(add.code, 0, add.err);
    const weak = stepgate(['user', 'add', 'weak', '--password', 'short']);
    assert.equal(weak.code, 1);
    assert.match(weak.err, /password: must be at least 8 characters/);
    assert.equal(stepgate(['user', 'passwd', 'operator'], 'another long password\n').code, 0);
    assert.equal(stepgate(['user', 'unlock', 'operator']).code, 0);
    assert.match(stepgate(['user', 'passwd', 'ghost', '--password', 'whatever123']).err, /user "ghost" does not exist/);
  });

  test('app add makes an automation client and prints its secret once; keys rotate; export leaves secrets out', () => {
    const app = stepgate(['app', 'add', '--name', 'automation', '--client-credentials', '--scope', 'stepgate:admin']);
    assert.equal(app.code, 0, app.err);
    const secret = /client_secret: (\S+)/.exec(app.out)?.[1];
    assert.ok(secret && secret.length >= 32);
    assert.match(stepgate(['app', 'list']).out, /automation\s+app_\S+\s+confidential\s+client_credentials/);
    const before = stepgate(['keys', 'list']).out;
    assert.equal(stepgate(['keys', 'rotate']).code, 0);
    const after = stepgate(['keys', 'list']).out;
    assert.equal((after.match(/sig/g) ?? []).length, (before.match(/sig/g) ?? []).length + 1);
    assert.match(after, /retired/);
    const exported = stepgate(['export']);
    assert.equal(exported.code, 0);
    assert.match(exported.out, /name: automation/);
    assert.doesNotMatch(exported.out, new RegExp(secret!));
  });

  test('apply reports what it created and names the line of a mistake', () => {
    const file = join(dir, 'setup.yaml');
    writeFileSync(file, 'users:\n  - username: fromfile\n    password: file password 1\n');
    const ok = stepgate(['apply', '-f', file]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /created\s+user fromfile/);
    assert.match(stepgate(['apply', '-f', file]).out, /updated\s+user fromfile/);
    writeFileSync(file, 'users:\n  - username: x\n    roles: admin\n');
    const bad = stepgate(['apply', '-f', file]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /setup.yaml line 3 \(users.0.roles\): Expected array/);
  });

  test('a bad configuration file stops the command with the key named', () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'port: seventy\n');
    const r = spawnSync(process.execPath, [join(root, 'bin', 'stepgate.js'), '-c', broken, 'migrate'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /port: Expected integer/);
  });

  test('sms send: fails with the TLS message before the provider certificate is imported, succeeds after, secrets masked', async () => {
    const cert = makeSelfSignedCertificate('127.0.0.1');
    const provider = await startHttpsServer(cert, (req, res) => {
      const body = JSON.parse(req.body) as { to: string; text: string };
      if (req.headers.authorization !== 'Bearer sk-live-secret-123') return json(res, 401, { error: 'bad token' });
      json(res, 202, { id: 'msg-42', to: body.to });
    });
    try {
      const setup = join(dir, 'sms.yaml');
      writeFileSync(
        setup,
        `identityProviders:\n  - name: smsOTP\n    authenticators:\n      - type: sms-otp\n        config:\n          gateway:\n            url: ${provider.origin}/send\n            method: POST\n            headers: "Authorization: Bearer sk-live-secret-123, Content-Type: application/json"\n            payload: '{"to":"$ctx.num","text":"$ctx.msg"}'\n`,
      );
      assert.equal((await stepgateAsync(['apply', '-f', setup])).code, 0);
      const untrusted = await stepgateAsync([
        'sms',
        'send',
        '--idp',
        'smsOTP',
        '--to',
        '+94771234567',
        '--text',
        'Hello "there" & 100%',
      ]);
      assert.equal(untrusted.code, 2, untrusted.err);
      assert.match(untrusted.out, /Failed: tls-untrusted: .*127\.0\.0\.1.*stepgate truststore import/s);
      assert.equal(provider.received.length, 0);
      writeFileSync(join(dir, 'provider-sms.pem'), cert.certPem);
      assert.equal(
        (
          await stepgateAsync([
            'truststore',
            'import',
            '--file',
            join(dir, 'provider-sms.pem'),
            '--alias',
            'sms-provider',
          ])
        ).code,
        0,
      );
      const sent = await stepgateAsync([
        'sms',
        'send',
        '--idp',
        'smsOTP',
        '--to',
        '+94771234567',
        '--text',
        'Hello "there" & 100%',
      ]);
      assert.equal(sent.code, 0, sent.out + sent.err);
      assert.match(sent.out, /POST https:\/\/127\.0\.0\.1:\d+\/send/);
      assert.match(sent.out, /Authorization: Bearer \*+/);
      assert.doesNotMatch(sent.out, /sk-live-secret-123/);
      assert.match(sent.out, /Accepted in \d+ ms/);
      assert.deepEqual(JSON.parse(provider.received[0]!.body), { to: '+94771234567', text: 'Hello "there" & 100%' });
      const badNumber = await stepgateAsync(['sms', 'send', '--idp', 'smsOTP', '--to', 'call me']);
      assert.equal(badNumber.code, 1);
      assert.match(badNumber.err, /to: must be a phone number in international format/);
      assert.match(
        (await stepgateAsync(['sms', 'send', '--idp', 'nope', '--to', '+94771234567'])).err,
        /identity provider "nope" does not exist/,
      );
    } finally {
      await provider.close();
    }
  });
});
