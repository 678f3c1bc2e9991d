/**
 * The local authenticators' installation settings through the admin API, on SQLite and PostgreSQL/Redis, with real
 * tokens and real logins over HTTP: read with schema and defaults; a save needs two factors, is checked field by field
 * (4xx problems, never a 500) and audited; and it takes effect at the next login step — an app added after the switch
 * to 8 digits and SHA-256 shows both in its otpauth:// URI and passes with codes the test computes itself (RFC 6238,
 * node:crypto), while an app enrolled before keeps its 6-digit SHA-1 codes; the passkey pages ask the browser for what
 * the passkey settings say.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CACHE_MS, createAuthenticatorSettings } from '../../src/identity/authenticator-settings.js';
import { setRoles } from '../../src/identity/users.js';
import { applySetup, parseSetup, SetupError } from '../../src/setup/apply.js';
import { exportSetupYaml } from '../../src/setup/export.js';
import { type Backend, forEachBackend, postgresBackend, skipPostgres, sqliteBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import type { RelyingParty } from '../support/rp.js';
import { startStepgate, type TestServer } from '../support/server.js';
import {
  awayFromStepEdge,
  PASSWORD_STEP,
  REDIRECT,
  startTotp,
  TOTP_STEP,
  type TotpFixture,
} from '../totp/support/fixture.js';
import { base32Decode, secretOf, totp } from '../totp/support/rfc6238.js';
import { client, clientToken } from './support.js';

/** RFC 6238 with any HMAC: the code of `at`'s time step. */
function code(secret: string, algorithm: 'sha1' | 'sha256' | 'sha512', digits: number, at = Date.now()): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac(algorithm, base32Decode(secret)).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const webauthnOf = (html: string) => {
  const raw = /data-webauthn="([^"]*)"/.exec(html)?.[1];
  assert.ok(raw, `no WebAuthn options in the page:\n${html.slice(0, 800)}`);
  return JSON.parse(unescapeHtml(raw)) as Record<string, unknown> & {
    authenticatorSelection?: Record<string, unknown>;
    rp?: { name: string };
  };
};

const TOTP_DEFAULTS = { digits: 6, periodSeconds: 30, algorithm: 'SHA1', driftSteps: 1, issuer: '' };
const PASSKEY_DEFAULTS = { userVerification: 'required', attestation: 'none', residentKey: 'preferred', rpName: '' };

forEachBackend('authenticator settings in the admin API', (backend) => {
  let t: TotpFixture;
  let rp: RelyingParty;
  let passkeyRp: RelyingParty;
  let admin: ReturnType<typeof client>;
  let oneFactor: ReturnType<typeof client>;

  before(async () => {
    t = await startTotp(backend);
    admin = client(t.f.server, await clientToken(t.f.server));
    const ada = await t.user('settings-admin');
    await setRoles(t.f.server.services.db, ada.user.id, ['admin']);
    oneFactor = client(t.f.server, await t.g!.oneFactorToken('settings-admin'));
    rp = await t.app('Settings TOTP app', [PASSWORD_STEP, TOTP_STEP]);
    passkeyRp = await t.app('Settings passkey app', [PASSWORD_STEP, { options: [{ authenticator: 'passkey' }] }]);
  });
  after(() => t.stop());

  test('reading: the defaults with their schema; unknown and federated authenticators are 404 problems', async () => {
    const res = await admin('GET', '/authenticators/totp');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.settings, TOTP_DEFAULTS);
    assert.deepEqual(res.body.defaults, TOTP_DEFAULTS);
    assert.equal(res.body.updatedAt, null);
    assert.equal(res.body.displayName, 'Authenticator app');
    assert.deepEqual(Object.keys(res.body.schema.properties), Object.keys(TOTP_DEFAULTS));
    assert.deepEqual((await admin('GET', '/authenticators/passkey')).body.settings, PASSKEY_DEFAULTS);

    const federated = await admin('GET', '/authenticators/sms-otp');
    assert.equal(federated.status, 404);
    assert.match(federated.body.detail, /inside an identity provider/);
    const unknown = await admin('GET', '/authenticators/nope');
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal((await admin('GET', `/authenticators/${'x'.repeat(65)}`)).status, 400);
    assert.equal((await admin('GET', '/authenticators/password')).status, 404);
  });

  test('saving needs two factors, and every field is checked', async () => {
    const refused = await oneFactor('PUT', '/authenticators/totp', { settings: { ...TOTP_DEFAULTS, digits: 8 } });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.code, 'second-factor-required');

    const bad: [unknown, string][] = [
      [{ settings: { ...TOTP_DEFAULTS, digits: 9 } }, 'settings.digits'],
      [{ settings: { ...TOTP_DEFAULTS, digits: 5 } }, 'settings.digits'],
      [{ settings: { ...TOTP_DEFAULTS, digits: '8' } }, 'settings.digits'],
      [{ settings: { ...TOTP_DEFAULTS, algorithm: 'MD5' } }, 'settings.algorithm'],
      [{ settings: { ...TOTP_DEFAULTS, periodSeconds: 5 } }, 'settings.periodSeconds'],
      [{ settings: { ...TOTP_DEFAULTS, driftSteps: 3 } }, 'settings.driftSteps'],
      [{ settings: { ...TOTP_DEFAULTS, issuer: 'x'.repeat(65) } }, 'settings.issuer'],
      [{ settings: { ...TOTP_DEFAULTS, extra: true } }, 'settings'],
      [{ settings: { digits: 8 } }, 'settings'],
      [{ settings: 'SHA1' }, 'settings'],
      [{}, 'settings'],
      [{ settings: TOTP_DEFAULTS, also: 1 }, ''],
    ];
    for (const [body, field] of bad) {
      const res = await admin('PUT', '/authenticators/totp', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.body.code, 'validation-failed');
      if (field)
        assert.ok(
          (res.body.errors as { field: string }[]).some((e) => e.field.startsWith(field)),
          `${JSON.stringify(body)} names ${field}: ${JSON.stringify(res.body.errors)}`,
        );
    }
    const passkey = await admin('PUT', '/authenticators/passkey', {
      settings: { ...PASSKEY_DEFAULTS, userVerification: 'discouraged' },
    });
    assert.equal(passkey.status, 400);
    assert.equal(
      (await admin('PUT', '/authenticators/totp', '{"settings":', { 'content-type': 'application/json' })).status,
      400,
    );
    const huge = await admin('PUT', '/authenticators/totp', {
      settings: { ...TOTP_DEFAULTS, issuer: 'x'.repeat(2_000_000) },
    });
    assert.ok([400, 413].includes(huge.status), `a huge body: ${huge.status}`);
    assert.equal((await admin('PUT', '/authenticators/sms-otp', { settings: {} })).status, 404);
    assert.deepEqual((await admin('GET', '/authenticators/totp')).body.settings, TOTP_DEFAULTS, 'nothing was saved');
  });

  test('8 digits and SHA-256 take effect at the next login; an app from before keeps its SHA-1 codes', async () => {
    const before = (await t.user('before-switch', { totp: true })) as { secret: string };
    const saved = await admin('PUT', '/authenticators/totp', {
      settings: { digits: 8, periodSeconds: 30, algorithm: 'SHA256', driftSteps: 1, issuer: 'Stepgate Test' },
    });
    assert.equal(saved.status, 200, saved.text);
    assert.equal(saved.body.settings.digits, 8);
    assert.equal(typeof saved.body.updatedAt, 'number');
    const event = (await t.f.audit('admin.authenticator.update')).at(-1);
    assert.equal(event?.authenticator, 'totp');
    assert.deepEqual(event?.changed, ['digits', 'algorithm', 'issuer']);

    // a user without an app adds one inside the login: the URI carries the new shape and issuer
    await t.user('after-switch');
    await awayFromStepEdge();
    const login = await t.login(rp, 'after-switch');
    assert.match(login.page.html, /id="totp-enrol"/, 'expected the enrolment page');
    const uri = unescapeHtml(/href="(otpauth:[^"]+)"/.exec(login.page.html)?.[1] ?? '');
    const params = new URL(uri).searchParams;
    assert.equal(params.get('digits'), '8');
    assert.equal(params.get('algorithm'), 'SHA256');
    assert.equal(params.get('issuer'), 'Stepgate Test');
    const secret = secretOf(uri);
    // a SHA-1 code of the same secret is no code of this app
    await t.submit(login, 'totp-enrol', { code: code(secret, 'sha1', 8) });
    assert.match(login.page.html, /id="totp-enrol"/, 'a SHA-1 code does not confirm a SHA-256 app');
    await t.submit(login, 'totp-enrol', { code: code(secret, 'sha256', 8) });
    assert.deepEqual((await t.finish(login)).amr, ['pwd', 'otp', 'mfa']);
    const apps = await t.f.server.services.totpCredentials.list(
      (
        await t.f.server.services.db
          .selectFrom('users')
          .select('id')
          .where('username', '=', 'after-switch')
          .executeTakeFirstOrThrow()
      ).id,
    );
    assert.deepEqual(
      apps.map((a) => [a.digits, a.algorithm]),
      [[8, 'SHA256']],
    );

    // the next login takes an 8-digit SHA-256 code of the next step, inside the drift window (the confirming one is
    // used up)
    const later = Date.now() + 30_000;
    const next = await t.login(rp, 'after-switch');
    assert.match(next.page.html, /id="totp-verify"/);
    assert.match(next.page.html, /\b8-digit code/);
    await t.submit(next, 'totp-verify', { code: code(secret, 'sha256', 6, later) });
    assert.match(next.page.html, /id="totp-verify"/, 'six digits are not the code');
    await t.submit(next, 'totp-verify', { code: code(secret, 'sha256', 8, later) });
    assert.deepEqual((await t.finish(next)).amr, ['pwd', 'otp', 'mfa']);

    // the app set up before the switch still works with its own 6-digit SHA-1 codes
    const old = await t.login(rp, 'before-switch');
    assert.match(old.page.html, /\b6-digit code/, 'the code page names the digits of the app of the user');
    await t.submit(old, 'totp-verify', { code: totp(before.secret) });
    assert.deepEqual((await t.finish(old)).amr, ['pwd', 'otp', 'mfa']);
  });

  test('the passkey settings reach the browser: user verification, attestation, resident key, RP name', async () => {
    await t.user('passkey-settings');
    const afterPassword = async () => {
      const browser = new Browser();
      const first = await browser.go(passkeyRp.begin().url);
      return browser.submit(
        Browser.form(first),
        { username: 'passkey-settings', password: 'correct horse battery' },
        (u) => u.startsWith(REDIRECT),
      );
    };
    const plain = webauthnOf((await afterPassword()).html);
    assert.equal(plain.attestation, 'none');
    assert.equal(plain.authenticatorSelection?.userVerification, 'required');
    assert.equal(plain.authenticatorSelection?.residentKey, 'preferred');

    const saved = await admin('PUT', '/authenticators/passkey', {
      settings: {
        userVerification: 'preferred',
        attestation: 'direct',
        residentKey: 'required',
        rpName: 'Stepgate Test RP',
      },
    });
    assert.equal(saved.status, 200, saved.text);
    const changed = webauthnOf((await afterPassword()).html);
    assert.equal(changed.attestation, 'direct');
    assert.equal(changed.authenticatorSelection?.userVerification, 'preferred');
    assert.equal(changed.authenticatorSelection?.residentKey, 'required');
    assert.equal(changed.rp?.name, 'Stepgate Test RP');
    await admin('PUT', '/authenticators/passkey', { settings: PASSKEY_DEFAULTS });
    assert.equal(webauthnOf((await afterPassword()).html).authenticatorSelection?.userVerification, 'required');
  });
});

forEachBackend('authenticator settings in setup files', (backend) => {
  const SETUP = `authenticators:
  totp:
    digits: 8
    algorithm: SHA512
  passkey:
    rpName: Pickup Dispatch sign-in
    attestation: direct
`;

  test('apply sets the named fields over the defaults (audited); export writes them; the export applies elsewhere', async () => {
    const first = await startStepgate({ backend });
    const second = await startStepgate({ backend });
    try {
      const s = first.services;
      const report = await applySetup(s, parseSetup(SETUP, 'setup.yaml'), 'setup.yaml');
      assert.deepEqual(report.updated, ['authenticator totp', 'authenticator passkey']);
      const settings = createAuthenticatorSettings(s.db, s.config);
      assert.deepEqual((await settings.get('totp')).settings, { ...TOTP_DEFAULTS, digits: 8, algorithm: 'SHA512' });
      assert.deepEqual((await settings.get('passkey')).settings, {
        ...PASSKEY_DEFAULTS,
        rpName: 'Pickup Dispatch sign-in',
        attestation: 'direct',
      });
      const { events } = await s.audit.query({ event: 'setup.authenticator.update', limit: 10 });
      assert.equal(events.length, 2);

      const yaml = await exportSetupYaml(s);
      assert.match(yaml, /authenticators:\n {2}totp:\n {4}digits: 8\n/);
      await applySetup(second.services, parseSetup(yaml, 'export.yaml'), 'export.yaml');
      const elsewhere = createAuthenticatorSettings(second.services.db, second.services.config);
      assert.deepEqual((await elsewhere.get('totp')).settings, (await settings.get('totp')).settings);
      assert.deepEqual((await elsewhere.get('passkey')).settings, (await settings.get('passkey')).settings);
      // a second apply of the same file changes nothing
      await applySetup(s, parseSetup(SETUP, 'setup.yaml'), 'setup.yaml');
      assert.deepEqual((await settings.get('totp')).settings.digits, 8);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  test('an install that never saved settings exports none; bad values name their line', async () => {
    const server = await startStepgate({ backend });
    try {
      assert.doesNotMatch(await exportSetupYaml(server.services), /authenticators:/);
      const wrong = (text: string) => {
        try {
          parseSetup(text, 'setup.yaml');
        } catch (e) {
          assert.ok(e instanceof SetupError);
          return e.problems.join('\n');
        }
        return assert.fail(`accepted: ${text}`);
      };
      assert.match(
        wrong('authenticators:\n  totp:\n    digits: 9\n'),
        /setup\.yaml line 3 \(authenticators\.totp\.digits\)/,
      );
      assert.match(wrong('authenticators:\n  totp:\n    algorithm: MD5\n'), /line 3/);
      assert.match(
        wrong('authenticators:\n  sms-otp:\n    digits: 6\n'),
        /authenticators\.sms-otp\): Unexpected property/,
      );
      assert.match(wrong('authenticators:\n  passkey:\n    colour: blue\n'), /line 3/);
      assert.equal(
        (await createAuthenticatorSettings(server.services.db).get('totp')).updatedAt,
        null,
        'nothing was saved',
      );
    } finally {
      await server.stop();
    }
  });
});

const twoNodes: { name: string; backend: Backend; skip: string | false }[] = [
  { name: 'PostgreSQL', backend: postgresBackend, skip: skipPostgres },
  { name: 'one SQLite file', backend: sqliteBackend, skip: false },
];

for (const variant of twoNodes) {
  test(`a save on one node reaches another within ${CACHE_MS / 1000} s (${variant.name})`, {
    skip: variant.skip,
  }, async () => {
    const made = await variant.backend.create();
    const database = { url: made.url, dataDir: made.dataDir, masterKey: Buffer.alloc(32, 7).toString('base64') };
    let a: TestServer | undefined;
    let b: TestServer | undefined;
    try {
      a = await startStepgate({ database });
      b = await startStepgate({ database });
      const onA = createAuthenticatorSettings(a.services.db, a.services.config);
      const onB = createAuthenticatorSettings(b.services.db, b.services.config);
      assert.equal((await onB.get('totp')).settings.digits, 6, 'node b has read (and cached) the defaults');
      await onA.put('totp', { ...TOTP_DEFAULTS, digits: 8 });
      assert.equal((await onA.get('totp')).settings.digits, 8, 'the saving node at once');
      const savedAt = Date.now();
      let seen = (await onB.get('totp')).settings.digits;
      while (seen !== 8 && Date.now() - savedAt < CACHE_MS + 2000) {
        await new Promise((r) => setTimeout(r, 250));
        seen = (await onB.get('totp')).settings.digits;
      }
      assert.equal(seen, 8, 'node b within the cache time');
    } finally {
      await a?.stop();
      await b?.stop();
      await made.drop();
    }
  });
}
