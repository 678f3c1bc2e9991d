/**
 * Users as one identity, through the admin API and SCIM over real HTTP: a subject claim is unique (also under
 * concurrent writes, and when an application picks it), phone numbers are stored in E.164 or refused, usernames are
 * case-folded and look-alikes refused, and bad input (races, huge numbers, deep nesting) is a 4xx, never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { suiteNeeding, variants } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { type Answer, client, clientToken, startAdminServer } from './support.js';

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const MOBILE = ClaimUri.mobile;

function isProblem(res: Answer, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.code, code, res.text);
  assert.equal(res.body.type, `https://stepgate.dev/problems/${code}`);
  assert.equal(typeof res.body.title, 'string');
  assert.equal(typeof res.body.detail, 'string');
}

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `users as one identity on ${backend.name}`, () => {
    let server: TestServer;
    let call: ReturnType<typeof client>;
    let scim: ReturnType<typeof client>;
    const scimUser = (userName: string, mobile?: string) =>
      scim(
        'POST',
        '/Users',
        { schemas: [SCIM_USER], userName, ...(mobile ? { phoneNumbers: [{ value: mobile, type: 'mobile' }] } : {}) },
        { 'content-type': 'application/scim+json' },
      );

    before(async () => {
      server = await startAdminServer(backend);
      const token = await clientToken(server, { name: 'automation' });
      call = client(server, token);
      scim = client(server, token, '/scim2');
      // the seed's choice: the mobile number is the subject of an application
      const app = await call('POST', '/applications', {
        name: 'Dispatch',
        redirectUris: ['http://127.0.0.1:1/callback'],
        subjectClaimUri: MOBILE,
      });
      assert.equal(app.status, 201, app.text);
    });
    after(() => server.stop());

    test('one subject: a number written two ways is one subject and a second user with it is a 409 naming no one', async () => {
      const first = await call('POST', '/users', { username: 'sub-ada', claims: { [MOBILE]: '+94 77 765 4321' } });
      assert.equal(first.status, 201, first.text);
      assert.equal(first.body.claims[MOBILE], '+94777654321');
      const second = await call('POST', '/users', { username: 'sub-bob', claims: { [MOBILE]: '+94777654321' } });
      isProblem(second, 409, 'conflict');
      assert.doesNotMatch(second.text, /sub-ada/);
      assert.doesNotMatch(second.text, new RegExp(first.body.id as string));
      // the refused create left nothing behind: the name is free
      assert.equal((await call('GET', '/users?search=sub-bob')).body.total, 0);
      // one digit off is another subject
      const near = await call('POST', '/users', { username: 'sub-bob', claims: { [MOBILE]: '+94777654322' } });
      assert.equal(near.status, 201, near.text);
      // moving bob onto ada's number is refused and bob keeps his
      const moved = await call('PUT', `/users/${near.body.id}`, { claims: { [MOBILE]: '+94 (77) 765-4321' } });
      isProblem(moved, 409, 'conflict');
      assert.equal((await call('GET', `/users/${near.body.id}`)).body.claims[MOBILE], '+94777654322');
      // SCIM is the same store and the same rule
      const viaScim = await scimUser('sub-cy', '+94-77-765-4321');
      assert.equal(viaScim.status, 409, viaScim.text);
      assert.equal(viaScim.body.scimType, 'uniqueness');
      assert.doesNotMatch(viaScim.text, /sub-ada/);
      // a value freed by its holder can be taken
      assert.equal((await call('PUT', `/users/${first.body.id}`, { claims: { [MOBILE]: '' } })).status, 200);
      const taken = await call('PUT', `/users/${near.body.id}`, { claims: { [MOBILE]: '+94777654321' } });
      assert.equal(taken.status, 200, taken.text);
      assert.equal(taken.body.claims[MOBILE], '+94777654321');
    });

    test('one subject under concurrency: of many creates and updates racing for one number exactly one wins', async () => {
      const creates = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          call('POST', '/users', { username: `race-${i}`, claims: { [MOBILE]: '+94 71 000 0001' } }),
        ),
      );
      assert.deepEqual(
        creates.map((r) => r.status).sort(),
        [201, ...Array(11).fill(409)],
        creates.map((r) => r.text).join('\n'),
      );
      const holders = await call('GET', `/users?mobile=${encodeURIComponent('+94710000001')}`);
      assert.equal(holders.body.total, 1);
      // updates of existing users racing for a new number, through both surfaces at once
      const ids = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => (await call('POST', '/users', { username: `racer-${i}` })).body.id),
      );
      const updates = await Promise.all(
        ids.map((id, i) =>
          i % 2 === 0
            ? call('PUT', `/users/${id}`, { claims: { [MOBILE]: '+94710000002' } })
            : scim(
                'PATCH',
                `/Users/${id}`,
                {
                  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
                  Operations: [{ op: 'add', path: 'phoneNumbers', value: [{ value: '+94710000002', type: 'mobile' }] }],
                },
                { 'content-type': 'application/scim+json' },
              ),
        ),
      );
      assert.equal(updates.filter((r) => r.status === 200).length, 1, updates.map((r) => r.text).join('\n'));
      assert.equal(updates.filter((r) => r.status === 409).length, 5);
      assert.equal((await call('GET', '/users?mobile=%2B94710000002')).body.total, 1);
    });

    test('an application cannot pick a subject claim that users share (409), and can once the values are unique', async () => {
      const a = await call('POST', '/users', { username: 'mail-a', claims: { [ClaimUri.email]: 'Same@Example.com' } });
      const b = await call('POST', '/users', { username: 'mail-b', claims: { [ClaimUri.email]: 'same@example.com' } });
      assert.equal(a.status, 201);
      assert.equal(b.status, 201, 'email is not a subject yet: sharing is allowed');
      const app = await call('POST', '/applications', {
        name: 'By email',
        redirectUris: ['http://127.0.0.1:1/cb'],
        subjectClaimUri: ClaimUri.email,
      });
      isProblem(app, 409, 'conflict');
      assert.doesNotMatch(app.text, /mail-a|mail-b|same@example/i);
      // the same on update of an existing application
      const other = await call('POST', '/applications', {
        name: 'Later by email',
        redirectUris: ['http://127.0.0.1:1/c'],
      });
      assert.equal(other.status, 201, other.text);
      isProblem(
        await call('PUT', `/applications/${other.body.application.id}`, { subjectClaimUri: ClaimUri.email }),
        409,
        'conflict',
      );
      assert.equal(
        (await call('PUT', `/users/${b.body.id}`, { claims: { [ClaimUri.email]: 'b@example.com' } })).status,
        200,
      );
      const picked = await call('PUT', `/applications/${other.body.application.id}`, {
        subjectClaimUri: ClaimUri.email,
      });
      assert.equal(picked.status, 200, picked.text);
      // from now on the claim is held unique, case-insensitively
      const again = await call('PUT', `/users/${b.body.id}`, { claims: { [ClaimUri.email]: 'SAME@example.com' } });
      isProblem(again, 409, 'conflict');
    });

    test('a subject claim keeps its attribute (409), other changes to it are fine', async () => {
      const uri = 'http://example.com/claims/staff-id';
      assert.equal(
        (await call('POST', '/claims', { uri, displayName: 'Staff', mappedAttribute: 'staffId' })).status,
        201,
      );
      const app = await call('POST', '/applications', {
        name: 'By staff id',
        redirectUris: ['http://127.0.0.1:1/s'],
        subjectClaimUri: uri,
      });
      assert.equal(app.status, 201, app.text);
      const path = `/claims/${encodeURIComponent(uri)}`;
      isProblem(await call('PUT', path, { mappedAttribute: 'employeeId' }), 409, 'conflict');
      const renamed = await call('PUT', path, { displayName: 'Staff number' });
      assert.equal(renamed.status, 200, renamed.text);
      assert.equal(renamed.body.mappedAttribute, 'staffId');
    });

    test('phone numbers: stored in E.164 on every write, invalid ones refused with a problem naming the field', async () => {
      const bad = await call('POST', '/users', { username: 'ph-bad', claims: { [MOBILE]: '+94 77 765 432' } });
      isProblem(bad, 400, 'validation-failed');
      assert.equal(bad.body.errors[0].field, MOBILE);
      const local = await call('POST', '/users', { username: 'ph-local', claims: { [MOBILE]: '0777654399' } });
      isProblem(local, 400, 'validation-failed');
      const viaScim = await scimUser('ph-scim', '+1 (650) 555-0100');
      assert.equal(viaScim.status, 201, viaScim.text);
      assert.deepEqual(viaScim.body.phoneNumbers, [{ value: '+16505550100', type: 'mobile', primary: true }]);
      const scimBad = await scimUser('ph-scim-bad', '12');
      assert.equal(scimBad.status, 400);
      assert.equal(scimBad.body.scimType, 'invalidValue');
      assert.match(scimBad.body.detail, /phoneNumbers/);
      // a search by number finds it however it is typed
      const found = await call('GET', `/users?mobile=${encodeURIComponent('+1 650-555-0100')}`);
      assert.deepEqual(
        found.body.items.map((u: { username: string }) => u.username),
        ['ph-scim'],
      );
    });

    test('usernames: stored case-folded, a second spelling is a 409, mixed-script look-alikes are refused', async () => {
      const created = await call('POST', '/users', { username: 'Grace.Hopper' });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.username, 'grace.hopper');
      isProblem(await call('POST', '/users', { username: 'GRACE.hopper' }), 409, 'conflict');
      // fullwidth letters are the same name after NFKC
      isProblem(await call('POST', '/users', { username: 'ｇｒａｃｅ.hopper' }), 409, 'conflict');
      const lookalike = await call('POST', '/users', { username: 'grаce.hopper' }); // Cyrillic а
      isProblem(lookalike, 400, 'validation-failed');
      assert.equal(lookalike.body.errors[0].field, 'username');
      assert.match(lookalike.body.errors[0].message, /script/);
      // one script alone is a name of its own (near miss: not refused for being non-Latin)
      assert.equal((await call('POST', '/users', { username: 'Грейс' })).body.username, 'грейс');
      const viaScim = await scimUser('gRACE.HOPPER');
      assert.equal(viaScim.status, 409);
      assert.equal(viaScim.body.scimType, 'uniqueness');
      const filtered = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "Grace.Hopper"')}`);
      assert.equal(filtered.body.totalResults, 1);
    });

    test('concurrent creation of one username answers one 201 and 409s, never a 500 (admin API and SCIM)', async () => {
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          i % 2 === 0 ? call('POST', '/users', { username: 'same-name' }) : scimUser('same-name'),
        ),
      );
      const statuses = answers.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 409).length, 15, statuses.join(','));
    });

    test('huge offsets and startIndex, numbers out of range and deep nesting are 4xx problems', async () => {
      isProblem(await call('GET', '/users?offset=100000000000000000000'), 400, 'validation-failed');
      isProblem(await call('GET', '/users?offset=1000000001'), 400, 'validation-failed');
      assert.equal((await call('GET', '/users?offset=1000000000')).status, 200, 'the largest offset allowed');
      const audit = await call('GET', '/audit-events?offset=9007199254740993');
      isProblem(audit, 400, 'validation-failed');
      for (const startIndex of ['99999999999999999999', '1000000001', '-99999999999999999999']) {
        const r = await scim('GET', `/Users?startIndex=${startIndex}`);
        assert.equal(r.status, 400, `${startIndex}: ${r.text}`);
        assert.equal(r.body.schemas[0], 'urn:ietf:params:scim:api:messages:2.0:Error');
      }
      const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      isProblem(await call('POST', '/users', `{"username":"deep","claims":${deep}}`), 400, 'bad-request');
      const deepScim = await scim('POST', '/Users', `{"schemas":["${SCIM_USER}"],"userName":"d","x":${deep}}`, {
        'content-type': 'application/scim+json',
      });
      assert.equal(deepScim.status, 400, deepScim.text);
      assert.equal(deepScim.body.scimType, 'invalidSyntax');
      // 32 levels are fine for the parser (the schema then judges the shape): a near miss of the limit
      const nested = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
      const atLimit = await call('POST', '/users', `{"username":"nest","claims":${nested(30)}}`);
      isProblem(atLimit, 400, 'validation-failed');
      const overLimit = await call('POST', '/users', `{"username":"nest","claims":${nested(32)}}`);
      isProblem(overLimit, 400, 'bad-request');
      const big = await call('POST', '/users', '{"username":"big","roles":[],"enabled":true,"x":1e400}');
      isProblem(big, 400, 'validation-failed');
      assert.equal(big.body.errors[0].field, 'body.x');
      const unsafe = await scim('POST', '/Users', `{"schemas":["${SCIM_USER}"],"userName":"n","n":9007199254740993}`, {
        'content-type': 'application/scim+json',
      });
      assert.equal(unsafe.status, 400, unsafe.text);
    });
  });
}
