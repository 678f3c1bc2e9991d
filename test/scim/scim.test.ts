/** SCIM 2.0 over real HTTP: RFC 7643/7644 shapes, the mobile number and the Stepgate extension, filters, PATCH, errors. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { getUserByUsername } from '../../src/identity/users.js';
import { client, clientToken, startAdminServer } from '../admin-api/support.js';
import { suiteNeeding, variants } from '../support/backends.js';
import type { TestServer } from '../support/server.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const EXT = 'urn:stepgate:params:scim:schemas:extension:2.0:User';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM = { 'content-type': 'application/scim+json' };

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `SCIM on ${backend.name}`, () => {
    let server: TestServer;
    let scim: ReturnType<typeof client>;

    before(async () => {
      server = await startAdminServer(backend);
      scim = client(server, await clientToken(server), '/scim2');
    });
    after(() => server.stop());

    const isError = (
      res: { status: number; headers: Headers; body: Record<string, unknown> },
      status: number,
      scimType?: string,
    ) => {
      assert.equal(res.status, status);
      assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
      assert.deepEqual(res.body.schemas, [ERROR]);
      assert.equal(res.body.status, String(status));
      if (scimType) assert.equal(res.body.scimType, scimType);
      assert.equal(typeof res.body.detail, 'string');
    };

    const newUser = (userName: string, mobile: string, extra: Record<string, unknown> = {}) =>
      scim(
        'POST',
        '/Users',
        {
          schemas: [CORE, EXT],
          userName,
          password: 'correct horse battery',
          phoneNumbers: [{ value: mobile, type: 'mobile' }],
          ...extra,
        },
        SCIM,
      );

    test('authentication: no token is a SCIM 401, a token without the admin scope a 403', async () => {
      isError(await client(server, undefined, '/scim2')('GET', '/Users'), 401);
      isError(await client(server, await clientToken(server, { adminScope: false }), '/scim2')('GET', '/Users'), 403);
    });

    test('discovery: ServiceProviderConfig, Schemas and ResourceTypes as RFC 7643 describes them', async () => {
      const spc = await scim('GET', '/ServiceProviderConfig');
      assert.equal(spc.status, 200);
      assert.deepEqual(spc.body.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
      assert.equal(spc.body.patch.supported, true);
      assert.equal(spc.body.filter.supported, true);
      assert.equal(spc.body.authenticationSchemes[0].type, 'oauthbearertoken');
      const schemas = await scim('GET', '/Schemas');
      assert.deepEqual(schemas.body.schemas, [LIST]);
      assert.equal(schemas.body.totalResults, 2);
      const ext = schemas.body.Resources.find((s: { id: string }) => s.id === EXT);
      const backup = ext.attributes.find((a: { name: string }) => a.name === 'backupCodes');
      assert.equal(backup.returned, 'never');
      assert.equal(backup.mutability, 'writeOnly');
      assert.equal(ext.attributes.find((a: { name: string }) => a.name === 'smsOtpDisabled').type, 'boolean');
      assert.equal((await scim('GET', `/Schemas/${CORE}`)).body.id, CORE);
      const types = await scim('GET', '/ResourceTypes');
      assert.equal(types.body.Resources[0].endpoint, '/Users');
      assert.deepEqual(types.body.Resources[0].schemaExtensions, [{ schema: EXT, required: false }]);
    });

    test('create: 201 with Location, schemas and meta; the mobile number as phoneNumbers type mobile; write-only values never returned', async () => {
      const res = await newUser('scim-ada', '+94771234567', {
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
        [EXT]: { smsOtpDisabled: true, backupCodes: ['10300', '21390'] },
      });
      assert.equal(res.status, 201, res.text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
      assert.equal(res.headers.get('location'), `${server.url}/scim2/Users/${res.body.id}`);
      assert.deepEqual(res.body.schemas, [CORE, EXT]);
      assert.equal(res.body.meta.resourceType, 'User');
      assert.equal(res.body.meta.location, res.headers.get('location'));
      assert.ok(Date.parse(res.body.meta.created) > 0 && Date.parse(res.body.meta.lastModified) > 0);
      assert.match(res.body.meta.version, /^W\/"/);
      assert.deepEqual(res.body.phoneNumbers, [{ value: '+94771234567', type: 'mobile', primary: true }]);
      assert.equal(res.body.name.givenName, 'Ada');
      assert.equal(res.body.emails[0].value, 'ada@example.com');
      assert.equal(res.body[EXT].smsOtpDisabled, true);
      assert.equal(res.body[EXT].backupCodes, undefined);
      assert.equal(res.body.password, undefined);
      assert.ok(!res.text.includes('21390'));
      const user = (await getUserByUsername(server.services.db, 'scim-ada'))!;
      assert.ok(await server.services.backupCodes.consume(user.id, '21390'));
      assert.equal(user.attributes.mobile, '+94771234567');
      assert.ok(
        await server.services.hasher.verify(
          (
            await server.services.db
              .selectFrom('users')
              .select('password_hash')
              .where('id', '=', user.id)
              .executeTakeFirstOrThrow()
          ).password_hash!,
          'correct horse battery',
        ),
      );
      isError(await newUser('scim-ada', '+94770000000'), 409, 'uniqueness');
    });

    test('filters: userName eq, id eq, phoneNumbers[type eq "mobile"].value eq, and; ListResponse with paging', async () => {
      const ids: Record<string, string> = {};
      for (const [name, mobile] of [
        ['f-one', '+94771110001'],
        ['f-two', '+94771110002'],
        ['f-three', '+94771110003'],
      ] as const) {
        ids[name] = (await newUser(name, mobile)).body.id;
      }
      const q = (f: string) => scim('GET', `/Users?filter=${encodeURIComponent(f)}`);
      const byName = await q('userName eq "f-two"');
      assert.deepEqual(byName.body.schemas, [LIST]);
      assert.equal(byName.body.totalResults, 1);
      assert.equal(byName.body.startIndex, 1);
      assert.equal(byName.body.itemsPerPage, 1);
      assert.equal(byName.body.Resources[0].id, ids['f-two']);
      assert.equal((await q(`id eq "${ids['f-three']}"`)).body.Resources[0].userName, 'f-three');
      const byMobile = await q('phoneNumbers[type eq "mobile"].value eq "+94771110001"');
      assert.equal(byMobile.body.totalResults, 1, byMobile.text);
      assert.equal(byMobile.body.Resources[0].userName, 'f-one');
      assert.equal(
        (await q('userName eq "f-one" and phoneNumbers[type eq "mobile"].value eq "+94771110002"')).body.totalResults,
        0,
      );
      assert.equal((await q('userName sw "f-" and not (userName eq "f-one")')).body.totalResults, 2);
      assert.equal(
        (await q('USERNAME eq "f-one" or username eq "f-two"')).body.totalResults,
        2,
        'attribute names are case-insensitive',
      );
      const paged = await scim('GET', `/Users?filter=${encodeURIComponent('userName sw "f-"')}&startIndex=2&count=1`);
      assert.equal(paged.body.totalResults, 3);
      assert.equal(paged.body.itemsPerPage, 1);
      assert.equal(paged.body.startIndex, 2);
      assert.equal(paged.body.Resources[0].userName, 'f-three');
      const all = await scim('GET', '/Users?startIndex=1&count=2');
      assert.equal(all.body.Resources.length, 2);
      assert.ok(all.body.totalResults >= 4);
      const projected = await scim('GET', `/Users/${ids['f-one']}?attributes=userName`);
      assert.deepEqual(Object.keys(projected.body).sort(), ['id', 'schemas', 'userName']);
      isError(await q('userName eq'), 400, 'invalidFilter');
      isError(await q('shoeSize eq "42"'), 400, 'invalidFilter');
      isError(await q('userName eq "x" trailing'), 400, 'invalidFilter');
    });

    test('PATCH: replace the mobile number through a value filter, add and remove attributes, extension values, errors', async () => {
      const id = (await newUser('p-user', '+94772220001')).body.id as string;
      const patch = (Operations: unknown[]) => scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations }, SCIM);

      const replaced = await patch([
        { op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+94772220009' },
      ]);
      assert.equal(replaced.status, 200, replaced.text);
      assert.deepEqual(replaced.body.phoneNumbers, [{ value: '+94772220009', type: 'mobile', primary: true }]);

      const added = await patch([
        { op: 'add', path: 'name.givenName', value: 'Pat' },
        { op: 'Replace', value: { active: 'False', [EXT]: { smsOtpDisabled: true } } },
        { op: 'add', path: 'emails', value: [{ value: 'pat@example.com', type: 'work' }] },
      ]);
      assert.equal(added.status, 200, added.text);
      assert.equal(added.body.name.givenName, 'Pat');
      assert.equal(added.body.active, false);
      assert.equal(added.body[EXT].smsOtpDisabled, true);
      assert.equal(added.body.emails[0].value, 'pat@example.com');
      const stored = (await getUserByUsername(server.services.db, 'p-user'))!;
      assert.equal(stored.enabled, false);
      assert.equal(stored.attributes.smsotpDisabled, 'true');

      const ext = await patch([
        { op: 'replace', path: `${EXT}:smsOtpDisabled`, value: false },
        { op: 'add', path: `${EXT}:backupCodes`, value: ['55555'] },
      ]);
      assert.equal(ext.body[EXT].smsOtpDisabled, false);
      assert.equal(ext.body[EXT].backupCodes, undefined);
      assert.equal(await server.services.backupCodes.remaining(id), 1);

      const removed = await patch([
        { op: 'remove', path: 'phoneNumbers[type eq "mobile"]' },
        { op: 'remove', path: 'emails' },
      ]);
      assert.equal(removed.body.phoneNumbers, undefined);
      assert.equal(removed.body.emails, undefined);
      const created = await patch([{ op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+94772220007' }]);
      assert.deepEqual(
        created.body.phoneNumbers.map((p: { value: string }) => p.value),
        ['+94772220007'],
      );

      isError(await patch([{ op: 'replace', path: 'userName', value: 'renamed' }]), 400, 'mutability');
      isError(await patch([{ op: 'replace', path: 'id', value: 'x' }]), 400, 'mutability');
      isError(await patch([{ op: 'remove' }]), 400, 'noTarget');
      isError(
        await patch([{ op: 'replace', path: 'emails[type eq "work" or value co "x"].value', value: 'y@example.com' }]),
        400,
        'noTarget',
      );
      isError(await patch([{ op: 'replace', path: 'phoneNumbers[type eq', value: 'x' }]), 400, 'invalidPath');
      isError(
        await patch([{ op: 'replace', path: 'emails', value: [{ value: 'not an email' }] }]),
        400,
        'invalidValue',
      );
      isError(await patch([{ op: 'move', path: 'emails' }]), 400);
      isError(
        await scim(
          'PATCH',
          `/Users/${id}`,
          { schemas: [CORE], Operations: [{ op: 'add', path: 'name.givenName', value: 'x' }] },
          SCIM,
        ),
        400,
      );
    });

    test('PUT replaces: attributes left out are cleared, write-only ones kept; DELETE then 404', async () => {
      const created = await newUser('r-user', '+94773330001', {
        name: { givenName: 'Rita' },
        [EXT]: { backupCodes: ['11111'] },
      });
      const id = created.body.id as string;
      const put = await scim(
        'PUT',
        `/Users/${id}`,
        { schemas: [CORE], userName: 'r-user', phoneNumbers: [{ value: '+94773330002', type: 'mobile' }] },
        SCIM,
      );
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.name, undefined);
      assert.equal(put.body.phoneNumbers[0].value, '+94773330002');
      assert.equal(await server.services.backupCodes.remaining(id), 1);
      isError(await scim('PUT', `/Users/${id}`, { schemas: [CORE], userName: 'other' }, SCIM), 400, 'mutability');
      isError(await scim('PUT', `/Users/${id}`, { userName: 'r-user' }, SCIM), 400);
      assert.equal((await scim('DELETE', `/Users/${id}`)).status, 204);
      isError(await scim('GET', `/Users/${id}`), 404);
      isError(await scim('DELETE', `/Users/${id}`), 404);
      const audit = await server.services.audit.query({ event: 'admin.user.delete' });
      assert.equal(audit.events[0]!.data.via, 'scim');
    });

    test('malformed JSON is invalidSyntax; a wrong content type 415; unknown endpoints 404 — all SCIM errors', async () => {
      isError(await scim('POST', '/Users', '{"schemas":', SCIM), 400, 'invalidSyntax');
      isError(await scim('POST', '/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
      isError(await scim('GET', '/Groups'), 404);
      const viaJson = await scim('POST', '/Users', { schemas: [CORE], userName: 'json-ok' });
      assert.equal(viaJson.status, 201, 'application/json is accepted too');
      const mobileClaim = await server.services.db
        .selectFrom('local_claims')
        .select('mapped_attribute')
        .where('uri', '=', ClaimUri.mobile)
        .executeTakeFirstOrThrow();
      assert.equal(mobileClaim.mapped_attribute, 'mobile');
    });
  });
}
