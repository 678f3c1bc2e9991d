/**
 * The engine on its own, without a protocol: created over a real Stepgate's stores (SQLite file, PostgreSQL, Redis
 * state), driven through its front-door API. A step slower than the per-login lease keeps the lease (a second submit
 * waits or conflicts, the step runs once); a passive login is refused before any step begins; the web layer's table
 * of statuses by intent keeps today's statuses.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Authenticator } from '../../src/authn/authenticator.js';
import { createEngine, type Engine, type EngineResult } from '../../src/authn/engine.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser, type User } from '../../src/identity/users.js';
import { ERROR_STATUS, PAGE_STATUS } from '../../src/web/pages/outcome-status.js';
import { forEachBackend } from '../support/backends.js';
import { startStepgate, type TestServer } from '../support/server.js';

const STEP_MS = 1200;
const client = { ip: '127.0.0.1', userAgent: 'engine test' };

/** A one-step login whose submission takes STEP_MS (a slow gateway), counting how often it really ran. */
function slowStep(runs: { count: number }, user: () => User): Authenticator {
  return {
    descriptor: { id: 'test-slow', displayName: 'Slow step', kind: 'local', amr: ['pwd'], requiresUser: false },
    readConfig: () => ({}),
    async begin() {
      return { kind: 'prompt', page: 'password', data: {} };
    },
    async continue() {
      runs.count += 1;
      await new Promise((r) => setTimeout(r, STEP_MS));
      return { kind: 'success', user: user() };
    },
  };
}

forEachBackend(
  'the step engine',
  (backend, variant) => {
    let server: TestServer;
    let applicationId: string;
    let user: User;
    const runs = { count: 0 };
    /** an engine whose lease lives a quarter of the step's time, renewed while the step runs */
    let engine: (waitMs: number) => Engine;

    before(async () => {
      server = await startStepgate({
        backend,
        redis: variant.redis,
        extraAuthenticators: () => [slowStep(runs, () => user)],
      });
      const s = server.services;
      user = await createUser(s.db, s.hasher, { username: 'slow', password: 'correct horse battery' });
      const created = await s.applications.create({
        name: 'Slow',
        redirectUris: ['http://127.0.0.1:1/callback'],
        subjectClaimUri: ClaimUri.username,
        steps: [{ options: [{ authenticator: 'test-slow' }] }],
      });
      applicationId = created.application.id;
      engine = (waitMs) =>
        createEngine({
          db: s.db,
          state: s.state,
          registry: s.registry,
          applications: s.applications,
          identityProviders: s.identityProviders,
          audit: s.audit,
          publicUrl: server.url,
          transactionTtlMs: 60_000,
          lease: { waitMs, ttlMs: STEP_MS / 4 },
        });
    });
    after(() => server.stop());

    async function begun(e: Engine, loginId: string, requirements = {}) {
      assert.equal(await e.start({ loginId, protocol: 'oidc', applicationId, requirements }), true);
      return e.view(loginId, client);
    }

    test('a step that outlives the lease TTL keeps the lease: a second submit waits, the step runs once', async () => {
      const e = engine(STEP_MS * 3);
      const loginId = `lease-wait-${variant.name}`;
      assert.equal((await begun(e, loginId)).type, 'page');
      runs.count = 0;
      const first = e.submit(loginId, { step: '0' }, client);
      await new Promise((r) => setTimeout(r, 50));
      const second = e.submit(loginId, { step: '0' }, client);
      const results = await Promise.all([first, second]);
      assert.equal(runs.count, 1, 'the step ran again while the first submission still held the login');
      assert.deepEqual(
        results.map((r) => r.type),
        ['finish', 'completed'],
      );
    });

    test('a second submit that cannot wait as long as the step is told to look again, and the step runs once', async () => {
      const e = engine(STEP_MS / 2);
      const loginId = `lease-conflict-${variant.name}`;
      assert.equal((await begun(e, loginId)).type, 'page');
      runs.count = 0;
      const first = e.submit(loginId, { step: '0' }, client);
      await new Promise((r) => setTimeout(r, 50));
      const second = await e.submit(loginId, { step: '0' }, client);
      assert.equal(second.type, 'conflict');
      assert.equal((await first).type, 'finish');
      assert.equal(runs.count, 1);
      // the near miss: once the first is done, the login is complete for everyone
      assert.equal((await e.submit(loginId, { step: '0' }, client)).type, 'completed');
      assert.equal(runs.count, 1);
    });

    test('a passive login is refused with interaction-required before any step begins; the same login not passive prompts', async () => {
      const e = engine(STEP_MS * 3);
      const passive = await begun(e, `passive-${variant.name}`, { passive: true });
      assert.equal(passive.type, 'refuse');
      assert.equal((passive as Extract<EngineResult, { type: 'refuse' }>).refusal.reason, 'interaction-required');
      const tx = (await e.load(`passive-${variant.name}`))!.value;
      assert.equal(tx.status, 'failed');
      assert.equal(tx.current, undefined, 'a step began in a passive login');
      assert.equal((await e.view(`passive-${variant.name}`, client)).type, 'error');
      const shown = await begun(e, `not-passive-${variant.name}`, { passive: false });
      assert.equal(shown.type, 'page');
    });

    test('a transaction saved before front doors (no protocol, requestedAcr only) is read as an OIDC login with those acr values', async () => {
      const e = engine(STEP_MS * 3);
      const loginId = `old-${variant.name}`;
      const now = Date.now();
      await server.services.state.create(
        `login:${loginId}`,
        {
          id: loginId,
          clientId: 'x',
          applicationId,
          status: 'in-progress',
          requestedAcr: ['urn:stepgate:acr:2fa'],
          stepIndex: 0,
          amr: [],
          passed: [],
          createdAt: now,
          expiresAt: now + 60_000,
        },
        60_000,
      );
      assert.equal((await e.view(loginId, client)).type, 'page');
      const result = await e.submit(loginId, { step: '0' }, client);
      // one factor reached, two asked for: refused, never a weaker login
      assert.equal(result.type, 'refuse');
      assert.equal((result as Extract<EngineResult, { type: 'refuse' }>).refusal.reason, 'acr-unmet');
      const completed = await begun(e, `old-near-miss-${variant.name}`, {});
      assert.equal(completed.type, 'page');
      assert.equal((await e.submit(`old-near-miss-${variant.name}`, { step: '0' }, client)).type, 'finish');
    });
  },
  { redis: true },
);

test('the statuses by intent are the ones the login pages always answered with', () => {
  assert.deepEqual(PAGE_STATUS, { prompt: 200, reprompt: 400, failure: 401, limit: 429, unavailable: 503 });
  assert.deepEqual(ERROR_STATUS, { fatal: 403, expired: 410, 'bad-input': 400 });
});
