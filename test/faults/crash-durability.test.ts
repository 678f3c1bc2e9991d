/**
 * Durability the way the loss was found: a real Stepgate process under a load of admin writes (user creates with a
 * mobile number and a given name, then mobile updates) and password logins is killed with SIGKILL mid-load and
 * restarted on the same database. Every acknowledged (2xx) write must be stored, every user must be whole (an
 * interrupted create leaves nothing, never a user without its claims), every stored user must have its audit event,
 * and every refresh token a finished login was given must still be honoured after the restart.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/load.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { ADMIN_SCOPE } from '../../src/oidc/provider.js';
import { createServices } from '../../src/services.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import { freePort } from '../support/server.js';

const root = join(import.meta.dirname, '..', '..');
const MASTER_KEY = Buffer.alloc(32, 9).toString('base64');
const API = '/api/admin/v1';
const WORKERS = 8;
/** the process is killed once this many writes were acknowledged: well inside the load, with requests in flight */
const KILL_AFTER_ACKS = 120;
const LOGIN_WORKERS = 2;
const LOGIN_PASSWORD = 'durable password 1';
const REDIRECT = 'http://127.0.0.1:1/callback';

interface Expected {
  /** the last acknowledged mobile number; undefined while the create itself is unacknowledged */
  acked?: string;
  /** a write sent but not answered when the process died: it may or may not have landed */
  inFlight?: string;
  givenName: string;
  id?: string;
}

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `acknowledged admin writes and logins survive kill -9 on ${backend.name}`, () => {
    let made: Awaited<ReturnType<typeof backend.create>>;
    let port: number;
    let url: string;
    let clientId: string;
    let clientSecret: string;
    let dispatch: { clientId: string; clientSecret: string };
    let child: ChildProcess | undefined;

    const env = () => ({
      PATH: process.env.PATH ?? '',
      HOME: made.dataDir,
      STEPGATE_MODE: 'production',
      STEPGATE_HOST: '127.0.0.1',
      STEPGATE_PORT: String(port),
      STEPGATE_PUBLIC_URL: url,
      STEPGATE_DATA_DIR: made.dataDir,
      STEPGATE_MASTER_KEY: MASTER_KEY,
      STEPGATE_LOG_LEVEL: 'silent',
      DATABASE_URL: made.url,
    });

    async function startProcess(): Promise<ChildProcess> {
      // the stepgate command as operators run it (compiled dist/); the config comes from the environment alone
      const proc = spawn(process.execPath, [join(root, 'bin', 'stepgate.js'), 'start'], {
        cwd: root,
        env: env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      proc.stdout!.on('data', (d) => {
        output += d;
      });
      proc.stderr!.on('data', (d) => {
        output += d;
      });
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`stepgate start exited ${proc.exitCode}: ${output}`);
        try {
          const r = await fetch(`${url}/.well-known/openid-configuration`);
          if (r.status === 200) return proc;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`stepgate did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    async function token(): Promise<string> {
      const r = await fetch(`${url}/oidc/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `grant_type=client_credentials&scope=${encodeURIComponent(ADMIN_SCOPE)}`,
      });
      assert.equal(r.status, 200, await r.clone().text());
      return ((await r.json()) as { access_token: string }).access_token;
    }

    before(async () => {
      made = await backend.create();
      port = await freePort();
      url = `http://127.0.0.1:${port}`;
      // the automation client is made through the services on the same database before the server starts
      const config = loadConfig({
        env: {},
        file: undefined,
        overrides: {
          publicUrl: url,
          port,
          dataDir: made.dataDir,
          databaseUrl: made.url,
          masterKey: MASTER_KEY,
          logLevel: 'silent',
        },
      });
      const services = await createServices(config);
      const created = await services.applications.create({
        name: 'load',
        grantTypes: ['client_credentials'],
        extraScopes: [ADMIN_SCOPE],
      });
      // the seed's choice of subject: the mobile number, so the subject constraint is part of every write
      const app = await services.applications.create({
        name: 'Dispatch',
        redirectUris: [REDIRECT],
        subjectClaimUri: ClaimUri.mobile,
      });
      dispatch = { clientId: app.application.clientId, clientSecret: app.clientSecret! };
      // the accounts the login workers sign in with, a password login each time
      for (let w = 0; w < LOGIN_WORKERS; w++)
        await createUser(services.db, services.hasher, {
          username: `walker${w}`,
          password: LOGIN_PASSWORD,
          claims: { [ClaimUri.mobile]: `+9477125000${w}` },
        });
      clientId = created.application.clientId;
      clientSecret = created.clientSecret!;
      await services.close();
    });
    after(async () => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await made.drop();
    });

    test('kill -9 under a load of user creates, mobile updates and password logins loses no acknowledged write or refresh token and leaves no half-made user', async () => {
      child = await startProcess();
      const bearer = `Bearer ${await token()}`;
      const users = new Map<string, Expected>();
      let acks = 0;
      let dead = false;
      let serial = 0;
      // distinct valid Sri Lankan mobile numbers (+94 77 xxx xxxx); written in a spaced form, stored in E.164
      const nextNumber = () => {
        const n = String(10_000_000 + serial++).slice(1);
        return { typed: `+94 77 ${n.slice(0, 3)} ${n.slice(3)}`, e164: `+9477${n}` };
      };
      const send = (method: string, path: string, body: unknown) =>
        fetch(`${url}${API}${path}`, {
          method,
          headers: { authorization: bearer, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });

      async function worker(w: number): Promise<void> {
        for (let i = 0; !dead; i++) {
          const username = `load-${w}-${i}`;
          const first = nextNumber();
          const expected: Expected = { inFlight: first.e164, givenName: `Given ${w} ${i}` };
          users.set(username, expected);
          try {
            const r = await send('POST', '/users', {
              username,
              claims: { [ClaimUri.mobile]: first.typed, [ClaimUri.givenName]: expected.givenName },
            });
            if (r.status !== 201) throw new Error(`create answered ${r.status}: ${await r.text()}`);
            expected.id = ((await r.json()) as { id: string }).id;
            expected.acked = first.e164;
            expected.inFlight = undefined;
            acks++;
            for (let u = 0; u < 2 && !dead; u++) {
              const next = nextNumber();
              expected.inFlight = next.e164;
              const up = await send('PUT', `/users/${expected.id}`, { claims: { [ClaimUri.mobile]: next.typed } });
              if (up.status !== 200) throw new Error(`update answered ${up.status}: ${await up.text()}`);
              expected.acked = next.e164;
              expected.inFlight = undefined;
              acks++;
            }
          } catch (err) {
            // after the kill every open request fails; before it, any failure is the test's finding
            if (!dead) throw err;
            return;
          }
        }
      }

      // logins beside the writes: each finished login's refresh token is an acknowledged write (the grant stored)
      const rp = await relyingParty(url, dispatch.clientId, dispatch.clientSecret, REDIRECT);
      const refreshTokens: string[] = [];
      async function loginWorker(w: number): Promise<void> {
        while (!dead) {
          try {
            const browser = new Browser();
            const started = rp.begin();
            const page = await browser.go(started.url);
            const done = await browser.submit(
              Browser.form(page),
              { username: `walker${w}`, password: LOGIN_PASSWORD },
              (u) => u.startsWith(REDIRECT),
            );
            assert.ok(done.url.startsWith(REDIRECT), `a login did not finish (${done.status})`);
            const tokens = await rp.finish(done.url, started);
            assert.ok(tokens.refresh_token, 'a finished login without a refresh token');
            refreshTokens.push(tokens.refresh_token);
          } catch (err) {
            if (!dead) throw err;
            return;
          }
        }
      }

      let failed: unknown;
      const load = Promise.all([
        ...Array.from({ length: WORKERS }, (_, w) => worker(w)),
        ...Array.from({ length: LOGIN_WORKERS }, (_, w) => loginWorker(w)),
      ]).catch((err) => {
        failed = err;
      });
      const giveUp = Date.now() + 30_000;
      while (acks < KILL_AFTER_ACKS && failed === undefined && Date.now() < giveUp)
        await new Promise((r) => setTimeout(r, 5));
      if (failed !== undefined) throw failed;
      assert.ok(acks >= KILL_AFTER_ACKS, `only ${acks} writes acknowledged in 30 s`);
      dead = true;
      child.kill('SIGKILL');
      await load;
      // killed by a signal, a process has a signalCode and no exitCode
      const proc = child;
      await new Promise<void>((resolve) =>
        proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve()),
      );
      assert.ok(
        [...users.values()].some((u) => u.inFlight !== undefined),
        'the kill did not interrupt any write: the test proves nothing',
      );

      child = await startProcess();
      const after = `Bearer ${await token()}`;
      const get = async (path: string) => {
        const r = await fetch(`${url}${API}${path}`, { headers: { authorization: after } });
        assert.equal(r.status, 200, await r.clone().text());
        // biome-ignore lint/suspicious/noExplicitAny: the answer is checked field by field below
        return (await r.json()) as any;
      };
      const stored = new Map<string, { id: string; claims: Record<string, string> }>();
      for (let offset = 0; ; offset += 200) {
        const page = await get(`/users?search=load-&limit=200&offset=${offset}`);
        for (const u of page.items) stored.set(u.username, u);
        if (page.items.length < 200) break;
      }
      const audited = new Set<string>();
      for (let offset = 0; ; offset += 200) {
        const page = await get(`/audit-events?event=admin.user.create&limit=200&offset=${offset}`);
        for (const e of page.items) audited.add(e.data.targetUsername);
        if (page.items.length < 200) break;
      }

      let checked = 0;
      for (const [username, expected] of users) {
        const user = stored.get(username);
        if (expected.acked === undefined) {
          // an unacknowledged create: absent, or whole
          if (user) {
            assert.equal(user.claims[ClaimUri.mobile], expected.inFlight, `${username}: half-made user`);
            assert.equal(user.claims[ClaimUri.givenName], expected.givenName, `${username}: half-made user`);
          }
        } else {
          checked++;
          assert.ok(user, `${username}: an acknowledged create is gone`);
          assert.equal(user.claims[ClaimUri.givenName], expected.givenName, `${username}: given name lost`);
          const allowed = [expected.acked, ...(expected.inFlight ? [expected.inFlight] : [])];
          assert.ok(
            allowed.includes(user.claims[ClaimUri.mobile]!),
            `${username}: mobile ${user.claims[ClaimUri.mobile]} is neither the acknowledged ${allowed.join(' nor ')}`,
          );
        }
        if (user) assert.ok(audited.has(username), `${username} is stored without its audit event`);
      }
      assert.ok(checked >= KILL_AFTER_ACKS / 3, `only ${checked} acknowledged users to check`);

      // every refresh token handed out before the kill still works on the restarted process
      assert.ok(refreshTokens.length >= LOGIN_WORKERS, `only ${refreshTokens.length} logins finished before the kill`);
      const rpAfter = await relyingParty(url, dispatch.clientId, dispatch.clientSecret, REDIRECT);
      for (const [i, refresh] of refreshTokens.entries()) {
        const renewed = await oidc.refreshTokenGrant(rpAfter.config, refresh).catch((e: unknown) => {
          throw new Error(`refresh token ${i + 1} of ${refreshTokens.length} from before the kill is lost: ${e}`);
        });
        assert.ok(renewed.access_token);
      }
      child.kill('SIGKILL');
    });
  });
}
