/**
 * The two-factor guard through SCIM with real tokens: POST, PUT and PATCH that touch the mobile number, Disable
 * SMSOTP, the password or backup codes need a sign-in that passed two factors (403 SCIM error otherwise); the same
 * requests that leave them as they are pass with one factor; a two-factor change of another user sends the notice.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { getUserById, setRoles } from '../../src/identity/users.js';
import { type GuardFixture, startGuardFixture } from '../admin-api/sign-in.js';
import { client } from '../admin-api/support.js';
import { forEachBackend } from '../support/backends.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const EXT = 'urn:stepgate:params:scim:schemas:extension:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM = { 'content-type': 'application/scim+json' };
const BOB_MOBILE = '+94772000002';

forEachBackend('the two-factor guard of SCIM', (backend) => {
  let g: GuardFixture;
  let bobId: string;
  let oneFactor: ReturnType<typeof client>;

  before(async () => {
    g = await startGuardFixture(backend);
    const s = g.f.server.services;
    const ada = await g.f.addUser('ada');
    await setRoles(s.db, ada.id, ['admin']);
    bobId = (await g.f.addUser('bob', { [ClaimUri.mobile]: BOB_MOBILE })).id;
    oneFactor = client(g.f.server, await g.oneFactorToken('ada'), '/scim2');
  });
  after(() => g.f.stop());

  const bobDoc = (extra: Record<string, unknown> = {}) => ({
    schemas: [CORE, EXT],
    userName: 'bob',
    phoneNumbers: [{ value: BOB_MOBILE, type: 'mobile' }],
    ...extra,
  });
  const patch = (Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

  test('one factor: each SCIM write that changes an authenticator is a 403 SCIM error saying why', async () => {
    const writes: [string, string, unknown][] = [
      [
        'POST',
        '/Users',
        { schemas: [CORE], userName: 'carol', phoneNumbers: [{ value: '+94773000003', type: 'mobile' }] },
      ],
      ['POST', '/Users', { schemas: [CORE], userName: 'dave', password: 'a long enough password' }],
      ['POST', '/Users', { schemas: [CORE, EXT], userName: 'erin', [EXT]: { backupCodes: ['10300'] } }],
      ['PUT', `/Users/${bobId}`, bobDoc({ phoneNumbers: [{ value: '+94779999999', type: 'mobile' }] })],
      ['PUT', `/Users/${bobId}`, bobDoc({ phoneNumbers: [] })],
      ['PUT', `/Users/${bobId}`, bobDoc({ [EXT]: { smsOtpDisabled: true } })],
      [
        'PATCH',
        `/Users/${bobId}`,
        patch([{ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+94779999999' }]),
      ],
      ['PATCH', `/Users/${bobId}`, patch([{ op: 'replace', path: `${EXT}:smsOtpDisabled`, value: true }])],
      ['PATCH', `/Users/${bobId}`, patch([{ op: 'add', path: `${EXT}:backupCodes`, value: ['10300', '21390'] }])],
      ['PATCH', `/Users/${bobId}`, patch([{ op: 'replace', path: 'password', value: 'another long password' }])],
    ];
    for (const [method, path, body] of writes) {
      const res = await oneFactor(method, path, body, SCIM);
      const what = `${method} ${path} ${JSON.stringify(body)}`;
      assert.equal(res.status, 403, `${what}: ${res.text}`);
      assert.deepEqual(res.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
      assert.equal(res.body.status, '403');
      assert.match(res.body.detail, /two factors/, what);
    }
    const bob = (await getUserById(g.f.server.services.db, bobId))!;
    assert.equal(bob.attributes.mobile, BOB_MOBILE);
    assert.equal(bob.attributes.smsotpDisabled, undefined);
    assert.equal(await g.f.server.services.backupCodes.remaining(bobId), 0);
  });

  test('one factor: writes that leave the authenticators as they are pass', async () => {
    const put = await oneFactor('PUT', `/Users/${bobId}`, bobDoc({ name: { givenName: 'Bob' } }), SCIM);
    assert.equal(put.status, 200, put.text);
    const renamed = await oneFactor(
      'PATCH',
      `/Users/${bobId}`,
      patch([{ op: 'replace', path: 'name.familyName', value: 'Builder' }]),
      SCIM,
    );
    assert.equal(renamed.status, 200, renamed.text);
    const created = await oneFactor('POST', '/Users', { schemas: [CORE], userName: 'frank' }, SCIM);
    assert.equal(created.status, 201, created.text);
    assert.equal(g.smsTo(BOB_MOBILE).length, 0);
  });

  test('two factors: a PATCH of the mobile number passes, and the old number is told', async () => {
    const twoFactor = client(g.f.server, await g.twoFactorToken('ada'), '/scim2');
    const res = await twoFactor(
      'PATCH',
      `/Users/${bobId}`,
      patch([{ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+94772000099' }]),
      SCIM,
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.phoneNumbers[0].value, '+94772000099');
    const notices = g.smsTo(BOB_MOBILE);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!.text, /mobile number for SMS codes/);
    const { events } = await g.f.server.services.audit.query({ event: 'admin.user.update', limit: 10 });
    assert.equal(events[0]!.data.via, 'scim');
    assert.equal(events[0]!.data.actor, 'user:ada');
    assert.deepEqual(events[0]!.data.authenticators, ['mobile-number']);
  });
});
