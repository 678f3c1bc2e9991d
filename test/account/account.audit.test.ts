/**
 * Every My Account change commits with its audit event or not at all: with the event's insert refused by the
 * database (a trigger on audit_events for that one event, test/support/refuse-audit.ts) the form is answered with
 * an error page without the database's words and the change is not there; the same form once the trigger is gone
 * makes the change with exactly one event (the near miss). Backup codes, SMS codes off and on, the number change,
 * authenticator apps added, renamed and removed, passkeys added (a registration made here, attestation none), renamed
 * and removed, a session revoked and every session ended. My Account's SMS (the code to a new number, the notices)
 * are in the SMS message log. SQLite, PostgreSQL and Redis state.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { PASSKEY_DEFAULTS } from '../../src/authenticators/passkey/index.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { getUserByUsername, getUserClaims, type User } from '../../src/identity/users.js';
import { storePasskey } from '../passkey/support/fixture.js';
import { forEachBackend } from '../support/backends.js';
import type { Browser, Page } from '../support/browser.js';
import { withAuditRefused } from '../support/refuse-audit.js';
import { secretOf, totp } from '../totp/support/rfc6238.js';
import { type AccountFixture, post, startAccount } from './support/fixture.js';

/** The little of CBOR (RFC 8949) a WebAuthn registration needs: maps, byte and text strings, small integers. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number) =>
    n < 24
      ? Buffer.from([(major << 5) | n])
      : n < 256
        ? Buffer.from([(major << 5) | 24, n])
        : Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

/**
 * A passkey's registration answer as an authenticator makes it (attestation `none`, user present and verified, an
 * ES256 key), for the challenge of `options`: what the browser posts, made here without one.
 */
function registration(options: { challenge: string; rp: { id?: string } }, origin: string): string {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const cose = cbor(
    new Map<number, unknown>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
  const id = randomBytes(16);
  const rpId = options.rp.id ?? new URL(origin).hostname;
  const length = Buffer.from([id.length >> 8, id.length & 0xff]);
  const authData = Buffer.concat([
    createHash('sha256').update(rpId).digest(),
    Buffer.from([0x45, 0, 0, 0, 0]),
    Buffer.alloc(16),
    length,
    id,
    cose,
  ]);
  const clientData = JSON.stringify({
    type: 'webauthn.create',
    challenge: options.challenge,
    origin,
    crossOrigin: false,
  });
  return JSON.stringify({
    id: id.toString('base64url'),
    rawId: id.toString('base64url'),
    type: 'public-key',
    response: {
      clientDataJSON: Buffer.from(clientData).toString('base64url'),
      attestationObject: cbor({ fmt: 'none', attStmt: {}, authData }).toString('base64url'),
      transports: ['internal'],
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
  });
}

forEachBackend(
  'My Account changes and their audit events commit together',
  (backend, variant) => {
    let f: AccountFixture;
    before(async () => {
      f = await startAccount({ backend, redis: variant.redis });
      await f.offerSmsOtpSwitch();
    });
    after(async () => f?.stop());

    let n = 10;
    const addUser = (name: string) => f.addUser(name, { [ClaimUri.mobile]: `+947750000${n++}` });
    const home = (browser: Browser) => browser.go(`${f.server.url}/account/`);
    const count = async (event: string, username: string) =>
      (await f.events(event)).filter((e) => e.username === username).length;
    const claims = async (username: string) =>
      getUserClaims(f.server.services.db, (await getUserByUsername(f.server.services.db, username))!);

    /**
     * Posts `write` with `event` refused: an error page (never the database's words), `unchanged` holds and no event;
     * then `write` again with the audit working: a redirect, `changed` holds and exactly one event.
     */
    async function atomically(
      username: string,
      event: string,
      write: () => Promise<Page>,
      unchanged: () => Promise<void>,
      changed: () => Promise<void>,
      again: () => Promise<Page> = write,
    ): Promise<void> {
      const before = await count(event, username);
      const refused = await withAuditRefused(f.server.services.db, backend.name, write, event);
      assert.ok(refused.status >= 500, `${event} refused: ${refused.status} ${refused.html.slice(0, 300)}`);
      assert.doesNotMatch(refused.html, /refused the event/, 'the database’s words on the page');
      await unchanged();
      assert.equal(await count(event, username), before, `${event}: an event of a change that did not happen`);
      const ok = await again();
      assert.equal(ok.status, 303, `${event} with the audit working: ${ok.status} ${ok.html.slice(0, 300)}`);
      await changed();
      assert.equal(await count(event, username), before + 1, `${event}: exactly one event`);
    }

    /** A passkey registered through My Account's pages, as the browser posts it; each call is a new ceremony. */
    async function registerPasskey(browser: Browser): Promise<Page> {
      const page = await browser.go(`${f.server.url}/account/passkeys/new`);
      assert.equal(page.status, 200, page.html.slice(0, 300));
      const raw = /data-webauthn="([^"]+)"/.exec(page.html)![1]!;
      const options = JSON.parse(
        raw
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&'),
      );
      return post(browser, page, '/account/passkeys/new', {
        credential: registration(options, new URL(f.server.services.config.publicUrl).origin),
      });
    }

    /** Adds an authenticator app through the enrolment pages; its credential. */
    async function addApp(browser: Browser, user: User) {
      assert.equal((await post(browser, await home(browser), '/account/totp')).status, 303);
      const enrol = await browser.go(`${f.server.url}/account/totp/new`);
      const secret = secretOf(/href="(otpauth:[^"]+)"/.exec(enrol.html)![1]!.replace(/&amp;/g, '&'));
      return { enrol, secret, list: () => f.server.services.totpCredentials.list(user.id) };
    }

    test('backup codes: refused event, no new codes; then one event and the new codes', async () => {
      const user = await addUser('bea');
      const { browser } = await f.signIn('bea');
      const hashes = () =>
        f.server.services.db
          .selectFrom('backup_codes')
          .select('hash')
          .where('user_id', '=', user.id)
          .orderBy('hash')
          .execute();
      const start = await hashes();
      await atomically(
        'bea',
        'account.backup-codes-regenerated',
        async () => post(browser, await home(browser), '/account/backup-codes'),
        async () => assert.deepEqual(await hashes(), start, 'codes replaced without their event'),
        async () => assert.notDeepEqual(await hashes(), start),
      );
    });

    test('authenticator app: added, renamed and removed each with its event, or not at all', async () => {
      const user = await addUser('tom');
      const { browser } = await f.signIn('tom');
      const app = await addApp(browser, user);
      await atomically(
        'tom',
        'account.totp-added',
        () => post(browser, app.enrol, '/account/totp/new', { code: totp(app.secret), label: 'Phone' }),
        async () => assert.equal((await app.list()).length, 0, 'an app stored without its event'),
        async () => assert.equal((await app.list()).length, 1),
      );
      const [cred] = await app.list();
      const label = async () => (await app.list())[0]!.label;
      await atomically(
        'tom',
        'account.totp-renamed',
        async () => post(browser, await home(browser), `/account/totp/${cred!.id}/rename`, { label: 'Work' }),
        async () => assert.equal(await label(), 'Phone', 'renamed without its event'),
        async () => assert.equal(await label(), 'Work'),
      );
      await atomically(
        'tom',
        'account.totp-removed',
        async () => post(browser, await home(browser), `/account/totp/${cred!.id}/remove`),
        async () => assert.equal((await app.list()).length, 1, 'removed without its event'),
        async () => assert.equal((await app.list()).length, 0),
      );
    });

    test('SMS codes off and on: the claim and its event together', async () => {
      const user = await addUser('sue');
      const { browser } = await f.signIn('sue');
      const app = await addApp(browser, user);
      assert.equal((await post(browser, app.enrol, '/account/totp/new', { code: totp(app.secret) })).status, 303);
      const disabled = async () => (await claims('sue'))[ClaimUri.smsOtpDisabled];
      await atomically(
        'sue',
        'account.sms-otp-disabled',
        async () => post(browser, await home(browser), '/account/sms-otp', { enabled: 'off' }),
        async () => assert.notEqual(await disabled(), 'true', 'SMS codes off without its event'),
        async () => assert.equal(await disabled(), 'true'),
      );
      await atomically(
        'sue',
        'account.sms-otp-enabled',
        async () => post(browser, await home(browser), '/account/sms-otp', { enabled: 'on' }),
        async () => assert.equal(await disabled(), 'true', 'SMS codes on without its event'),
        async () => assert.equal(await disabled(), 'false'),
      );
    });

    test('the number change: saved with account.mobile-changed or not at all; its SMS in the message log', async () => {
      await addUser('max');
      const old = (await claims('max'))[ClaimUri.mobile]!;
      const { browser } = await f.signIn('max');
      const logged = async (suffix: string) =>
        (await f.server.services.smsMessages.list({ destinationSuffix: suffix, offset: 0, limit: 50 })).items;
      const confirmWith = async () => {
        assert.equal(
          (await post(browser, await home(browser), '/account/mobile', { number: '+94776000099' })).status,
          303,
        );
        const code = f.sms.lastCode();
        return post(browser, await browser.go(`${f.server.url}/account/mobile/confirm`), '/account/mobile/confirm', {
          code,
        });
      };
      const codesBefore = (await logged('0099')).length;
      await atomically(
        'max',
        'account.mobile-changed',
        confirmWith,
        async () => assert.equal((await claims('max'))[ClaimUri.mobile], old, 'a number saved without its event'),
        async () => assert.equal((await claims('max'))[ClaimUri.mobile], '+94776000099'),
      );
      // the refused change used its code up: each attempt sent a code to the new number, each is in the log
      const codes = await logged('0099');
      assert.equal(codes.length, codesBefore + 2, JSON.stringify(codes));
      assert.ok(codes.every((m) => m.purpose === 'notice' && m.destination.endsWith('0099')));
      assert.doesNotMatch(JSON.stringify(codes), /94776000099/, 'a number unmasked in the log');
      // the notice went to the old number and is in the log too
      const notices = await logged(old.slice(-4));
      assert.ok(
        notices.some((m) => m.purpose === 'notice'),
        'the notice to the old number is not in the log',
      );
      const notice = (await f.events('account.notice')).filter((e) => e.username === 'max').at(-1);
      assert.equal(notice?.outcome, 'sent');
      assert.equal(notice?.unlogged, undefined);
    });

    test('a passkey added: stored with account.passkey-added or not at all', async () => {
      const user = await addUser('ray');
      const { browser } = await f.signIn('ray');
      const list = () => f.server.services.passkeyCredentials.list(user.id);
      // each try is a new ceremony: a refused one used its challenge up
      const register = () => registerPasskey(browser);
      await atomically(
        'ray',
        'account.passkey-added',
        register,
        async () => assert.equal((await list()).length, 0, 'a passkey stored without its event'),
        async () => assert.equal((await list()).length, 1),
      );
    });

    test('the passkey limit: the tenth passkey is added, an eleventh refused with nothing stored and no event', async () => {
      const user = await addUser('lim');
      const { browser } = await f.signIn('lim');
      const list = () => f.server.services.passkeyCredentials.list(user.id);
      for (let i = 1; i < PASSKEY_DEFAULTS.maxCredentials; i++) await storePasskey(f.server.services, user.id);
      // the near miss: one below the limit, a registration is added
      assert.equal((await registerPasskey(browser)).status, 303);
      assert.equal((await list()).length, PASSKEY_DEFAULTS.maxCredentials);
      const added = await count('account.passkey-added', 'lim');
      const refused = await registerPasskey(browser);
      assert.equal(refused.status, 409);
      assert.match(refused.html, /data-message-id="account\.error\.passkey-too-many"|passkey-too-many/);
      assert.equal((await list()).length, PASSKEY_DEFAULTS.maxCredentials, 'a passkey past the limit was stored');
      assert.equal(await count('account.passkey-added', 'lim'), added, 'an event for a passkey that was not added');
    });

    test('passkeys: renamed and removed each with its event, or not at all', async () => {
      const user = await addUser('pat');
      const { browser } = await f.signIn('pat');
      // a stored passkey (its registration through WebAuthn is test/account/account.browser.test.ts)
      const stored = await storePasskey(f.server.services, user.id);
      const list = () => f.server.services.passkeyCredentials.list(user.id);
      await atomically(
        'pat',
        'account.passkey-renamed',
        async () => post(browser, await home(browser), `/account/passkeys/${stored.id}/rename`, { label: 'Laptop' }),
        async () => assert.equal((await list())[0]!.label, 'Passkey', 'renamed without its event'),
        async () => assert.equal((await list())[0]!.label, 'Laptop'),
      );
      await atomically(
        'pat',
        'account.passkey-removed',
        async () => post(browser, await home(browser), `/account/passkeys/${stored.id}/remove`),
        async () => assert.equal((await list()).length, 1, 'removed without its event'),
        async () => assert.equal((await list()).length, 0),
      );
    });

    test('sessions: one revoked, and every one ended, each with its event or not at all', async () => {
      await addUser('kim');
      const appLogin = async () => {
        const login = await f.startLogin('kim');
        await f.rp.finish((await f.submitCode(login, f.sms.lastCode())).url, login.started);
      };
      await appLogin();
      await appLogin();
      const { browser } = await f.signIn('kim');
      const listed = async () => {
        const page = await browser.go(`${f.server.url}/account/sessions`);
        return { page, uids: [...page.html.matchAll(/data-uid="([^"]+)"/g)].map((m) => m[1]!) };
      };
      const first = await listed();
      assert.equal(first.uids.length, 2, first.page.html.slice(0, 1500));
      const uid = first.uids[0]!;
      await atomically(
        'kim',
        'account.session-revoked',
        async () => post(browser, (await listed()).page, `/account/sessions/${uid}/revoke`),
        async () => assert.ok((await listed()).uids.includes(uid), 'revoked without its event'),
        async () => assert.deepEqual((await listed()).uids, [first.uids[1]]),
      );
      await atomically(
        'kim',
        'account.sessions-revoked',
        async () => post(browser, (await listed()).page, '/account/sessions/revoke-all'),
        async () => assert.equal((await listed()).uids.length, 1, 'ended without its event'),
        async () => assert.equal((await listed()).uids.length, 0),
      );
      const ended = (await f.events('account.sessions-revoked')).filter((e) => e.username === 'kim');
      assert.equal(ended[0]?.sessions, 1);
    });
  },
  { redis: true },
);
