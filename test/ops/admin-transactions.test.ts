/**
 * Admin writes commit with their audit event or not at all. The test puts a trigger on audit_events in its own
 * database that refuses every insert — on PostgreSQL as the server going away mid-transaction (SQLSTATE 57P01,
 * admin_shutdown), on SQLite as RAISE(ABORT) — and drives each admin API, SCIM and truststore write through HTTP:
 * the answer is a JSON problem (503 with Retry-After when the database went away, a 500 problem without the
 * database's words on SQLite), the change is not there afterwards, and no event was stored. Claims and the console's
 * own SMS step (added by the first SMS OTP provider) too. With the trigger dropped
 * the same write succeeds with exactly one event (the near miss). PostgreSQL cut off entirely (503, recovery without
 * a restart) is test/ops/outage.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ensureConsoleApplication } from '../../src/identity/console-app.js';
import { selfSignedCertificate } from '../admin-api/saml-fixtures.js';
import { type Answer, client, clientToken, startAdminServer } from '../admin-api/support.js';
import { gatewayFor } from '../sms-otp/support/fixture.js';
import { forEachBackend } from '../support/backends.js';
import { allowAudit, refuseAudit } from '../support/refuse-audit.js';
import type { TestServer } from '../support/server.js';

const SCIM_SCHEMAS = ['urn:ietf:params:scim:schemas:core:2.0:User'];

async function events(server: TestServer, event: string): Promise<number> {
  return (await server.services.audit.query({ event, limit: 1 })).total;
}

forEachBackend('admin writes and their audit events commit together', (backend) => {
  let server: TestServer;
  let call: ReturnType<typeof client>;
  let scim: ReturnType<typeof client>;

  /** The answer to a write whose audit event could not be stored: a problem, never the database's own words. */
  function refused(answer: Answer, what: string): void {
    const outage = backend.name === 'postgres';
    assert.equal(answer.status, outage ? 503 : 500, `${what}: ${answer.status} ${answer.text}`);
    assert.match(answer.headers.get('content-type') ?? '', /application\/(problem|scim)\+json/, what);
    assert.ok(!answer.text.includes('refused the event'), `${what} leaks the database error: ${answer.text}`);
    if (outage) assert.equal(answer.headers.get('retry-after'), '5', what);
  }

  /** Runs `write` with the audit refused, checks nothing changed, then again with the audit allowed. */
  async function atomically(
    what: string,
    event: string,
    write: () => Promise<Answer>,
    unchanged: () => Promise<void>,
    succeeded: (answer: Answer) => Promise<void> | void,
  ): Promise<void> {
    const before = await events(server, event);
    await refuseAudit(server.services.db, backend.name);
    try {
      refused(await write(), what);
    } finally {
      await allowAudit(server.services.db, backend.name);
    }
    await unchanged();
    assert.equal(await events(server, event), before, `${what}: an event of a change that did not happen`);
    const answer = await write();
    assert.ok(answer.status < 300, `${what} with the audit working: ${answer.status} ${answer.text}`);
    await succeeded(answer);
    assert.equal(await events(server, event), before + 1, `${what}: one event for the change`);
  }

  before(async () => {
    server = await startAdminServer(backend);
    const token = await clientToken(server);
    call = client(server, token);
    scim = client(server, token, '/scim2');
  });
  after(() => server.stop());

  test('applications: create, update, new secret, delete', async () => {
    const names = async () =>
      (await call('GET', '/applications?limit=200')).body.items.map((a: { name: string }) => a.name);
    let id = '';
    await atomically(
      'create an application',
      'admin.application.create',
      () => call('POST', '/applications', { name: 'Ledger', redirectUris: ['http://localhost:1/cb'] }),
      async () => assert.ok(!(await names()).includes('Ledger')),
      (answer) => {
        id = answer.body.application.id;
      },
    );
    await atomically(
      'update an application',
      'admin.application.update',
      () => call('PUT', `/applications/${id}`, { description: 'changed' }),
      async () => assert.equal((await call('GET', `/applications/${id}`)).body.description, ''),
      async () => assert.equal((await call('GET', `/applications/${id}`)).body.description, 'changed'),
    );
    const secret = await server.services.applications.clientSecret(id);
    assert.ok(secret);
    await atomically(
      'regenerate a secret',
      'admin.application.regenerate-secret',
      () => call('POST', `/applications/${id}/secret`),
      async () => assert.equal(await server.services.applications.clientSecret(id), secret),
      async (answer) => assert.equal(await server.services.applications.clientSecret(id), answer.body.clientSecret),
    );
    await atomically(
      'delete an application',
      'admin.application.delete',
      () => call('DELETE', `/applications/${id}`),
      async () => assert.equal((await call('GET', `/applications/${id}`)).status, 200),
      async () => assert.equal((await call('GET', `/applications/${id}`)).status, 404),
    );
  });

  test('identity providers: create, update, delete (the cached view follows the database)', async () => {
    let id = '';
    const listed = async () =>
      (await call('GET', '/identity-providers?limit=200')).body.items.map((i: { name: string }) => i.name);
    await atomically(
      'create an identity provider',
      'admin.identity-provider.create',
      () => call('POST', '/identity-providers', { name: 'partnerIdP' }),
      async () => assert.ok(!(await listed()).includes('partnerIdP')),
      (answer) => {
        id = answer.body.id;
      },
    );
    await atomically(
      'update an identity provider',
      'admin.identity-provider.update',
      () => call('PUT', `/identity-providers/${id}`, { displayName: 'Partner' }),
      async () => assert.equal((await call('GET', `/identity-providers/${id}`)).body.displayName, 'partnerIdP'),
      async () => assert.equal((await call('GET', `/identity-providers/${id}`)).body.displayName, 'Partner'),
    );
    await atomically(
      'delete an identity provider',
      'admin.identity-provider.delete',
      () => call('DELETE', `/identity-providers/${id}`),
      async () => assert.equal((await call('GET', `/identity-providers/${id}`)).status, 200),
      async () => assert.equal((await call('GET', `/identity-providers/${id}`)).status, 404),
    );
  });

  test('truststore: a two-certificate import stores both or neither; delete', async () => {
    const pem = `${selfSignedCertificate('one.example').certificate}\n${selfSignedCertificate('two.example').certificate}`;
    const aliases = async () => (await call('GET', '/truststore')).body.items.map((c: { alias: string }) => c.alias);
    await atomically(
      'import certificates',
      'admin.truststore.import',
      () => call('POST', '/truststore', { alias: 'relay', certificate: pem }),
      async () => assert.deepEqual(await aliases(), []),
      async () => assert.deepEqual(await aliases(), ['relay', 'relay-2']),
    );
    await atomically(
      'delete a certificate',
      'admin.truststore.delete',
      () => call('DELETE', '/truststore/relay-2'),
      async () => assert.deepEqual(await aliases(), ['relay', 'relay-2']),
      async () => assert.deepEqual(await aliases(), ['relay']),
    );
  });

  test('claims and claim mappings: create, update, map, unmap, delete (the cached catalogue follows)', async () => {
    const uri = 'http://wso2.org/claims/costcentre';
    const dialect = encodeURIComponent('http://wso2.org/oidc/claim');
    const claimPath = `/claims/${encodeURIComponent(uri)}`;
    const mapped = async () =>
      (await call('GET', `/claim-dialects/${dialect}/mappings?limit=200`)).body.items.some(
        (m: { externalClaim: string }) => m.externalClaim === 'cost_centre',
      );
    await atomically(
      'create a claim',
      'admin.claim.create',
      () => call('POST', '/claims', { uri, displayName: 'Cost centre', mappedAttribute: 'costCentre' }),
      async () => assert.equal((await call('GET', claimPath)).status, 404),
      async () => assert.equal((await call('GET', claimPath)).status, 200),
    );
    await atomically(
      'update a claim',
      'admin.claim.update',
      () => call('PUT', claimPath, { displayName: 'Cost center' }),
      async () => assert.equal((await call('GET', claimPath)).body.displayName, 'Cost centre'),
      async () => assert.equal((await call('GET', claimPath)).body.displayName, 'Cost center'),
    );
    await atomically(
      'map a claim',
      'admin.claim-mapping.update',
      () => call('PUT', `/claim-dialects/${dialect}/mappings/cost_centre`, { localClaimUri: uri }),
      async () => assert.equal(await mapped(), false),
      async () => assert.equal(await mapped(), true),
    );
    await atomically(
      'unmap a claim',
      'admin.claim-mapping.delete',
      () => call('DELETE', `/claim-dialects/${dialect}/mappings/cost_centre`),
      async () => assert.equal(await mapped(), true),
      async () => assert.equal(await mapped(), false),
    );
    await atomically(
      'delete a claim',
      'admin.claim.delete',
      () => call('DELETE', claimPath),
      async () => assert.equal((await call('GET', claimPath)).status, 200),
      async () => assert.equal((await call('GET', claimPath)).status, 404),
    );
  });

  test('the console’s SMS step, added by the first SMS OTP provider, commits with its own event', async () => {
    const consoleApp = await ensureConsoleApplication(
      server.services.applications,
      server.url,
      server.services.identityProviders,
    );
    const steps = async () => (await server.services.applications.get(consoleApp.id))!.steps.length;
    assert.equal(await steps(), 1);
    const smsOtp = (name: string) => ({
      name,
      authenticators: [{ type: 'sms-otp', enabled: true, config: { gateway: gatewayFor('http://127.0.0.1:9') } }],
    });
    const providers = async () => (await server.services.identityProviders.list()).map((i) => i.name);
    const added = 'admin.console.sms-otp-step-added';
    const before = { step: await events(server, added), idp: await events(server, 'admin.identity-provider.create') };
    await refuseAudit(server.services.db, backend.name, added);
    try {
      // the provider is a change of its own, stored with its event; the console's step is not, and has none
      refused(await call('POST', '/identity-providers', smsOtp('smsOTP-a')), 'add the console’s SMS step');
    } finally {
      await allowAudit(server.services.db, backend.name);
    }
    assert.ok((await providers()).includes('smsOTP-a'));
    assert.equal(await events(server, 'admin.identity-provider.create'), before.idp + 1);
    assert.equal(await steps(), 1, 'the console got a step without its audit event');
    assert.equal(await events(server, added), before.step);
    const again = await call(
      'PUT',
      `/identity-providers/${(await server.services.identityProviders.getByName('smsOTP-a'))!.id}`,
      {
        displayName: 'SMS',
      },
    );
    assert.equal(again.status, 200, again.text);
    assert.equal(await steps(), 2);
    assert.equal(await events(server, added), before.step + 1);
  });

  test('users through the admin API and SCIM', async () => {
    const exists = async (username: string) =>
      (await call('GET', `/users?search=${username}`)).body.items.some(
        (u: { username: string }) => u.username === username,
      );
    await atomically(
      'create a user',
      'admin.user.create',
      () => call('POST', '/users', { username: 'grace' }),
      async () => assert.equal(await exists('grace'), false),
      async () => assert.equal(await exists('grace'), true),
    );
    await atomically(
      'create a SCIM user',
      'admin.user.create',
      () =>
        scim(
          'POST',
          '/Users',
          { schemas: SCIM_SCHEMAS, userName: 'hopper' },
          { 'content-type': 'application/scim+json' },
        ),
      async () => assert.equal(await exists('hopper'), false),
      async () => assert.equal(await exists('hopper'), true),
    );
  });
});

test('the audit trigger of this suite refuses what it should (near miss of the harness)', async () => {
  const { startStepgate } = await import('../support/server.js');
  const server = await startStepgate();
  try {
    await refuseAudit(server.services.db, 'sqlite');
    await assert.rejects(server.services.audit.record({ event: 'test.refused' }), /refused the event/);
    await allowAudit(server.services.db, 'sqlite');
    await server.services.audit.record({ event: 'test.allowed' });
    assert.equal(await events(server, 'test.allowed'), 1);
  } finally {
    await server.stop();
  }
});
