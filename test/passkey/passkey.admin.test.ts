/**
 * Passkeys through the admin API on each database (the 0005 migration with them): a one-factor admin token may list
 * but not revoke (403 second-factor-required, nothing removed, no notice); a two-factor console token revokes
 * (204, audited, the user told by SMS), and a second revoke is 404. Also the store's counter race, on each database.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { setRoles } from '../../src/identity/users.js';
import { type GuardFixture, startGuardFixture } from '../admin-api/sign-in.js';
import { client } from '../admin-api/support.js';
import { forEachBackend } from '../support/backends.js';
import { storePasskey } from './support/fixture.js';

forEachBackend('passkeys through the admin API', (backend) => {
  let g: GuardFixture;
  let bobId: string;
  let credId: string;
  let oneFactor: ReturnType<typeof client>;
  let twoFactor: ReturnType<typeof client>;
  const BOB_MOBILE = '+94772000012';

  before(async () => {
    g = await startGuardFixture(backend);
    const s = g.f.server.services;
    const ada = await g.f.addUser('ada', { [ClaimUri.mobile]: '+94771234577' });
    await setRoles(s.db, ada.id, ['admin']);
    bobId = (await g.f.addUser('bob', { [ClaimUri.mobile]: BOB_MOBILE })).id;
    // a credential id of the size authenticators use, stored as the login would store it
    credId = randomBytes(64).toString('base64url');
    await storePasskey(s, bobId, { id: credId, signCount: 3, transports: ['usb', 'nfc'] });
    oneFactor = client(g.f.server, await g.oneFactorToken('ada'));
    twoFactor = client(g.f.server, await g.twoFactorToken('ada'));
  });
  after(() => g.f.stop());

  test('a one-factor token lists but cannot revoke (403 second-factor-required)', async () => {
    const listed = await oneFactor('GET', `/users/${bobId}/passkeys`);
    assert.equal(listed.status, 200);
    const items = (listed.body as unknown as { items: { id: string; transports: string[] }[] }).items;
    assert.deepEqual(
      items.map((i) => [i.id, i.transports]),
      [[credId, ['usb', 'nfc']]],
    );
    const remove = await oneFactor('DELETE', `/users/${bobId}/passkeys/${credId}`);
    assert.equal(remove.status, 403);
    assert.equal(remove.body.code, 'second-factor-required');
    assert.equal((await g.f.server.services.passkeyCredentials.list(bobId)).length, 1, 'nothing removed');
    assert.equal(g.smsTo(BOB_MOBILE).length, 0, 'no notice');
  });

  test('a two-factor token revokes: 204, audited, the user told; the second time 404', async () => {
    assert.equal((await twoFactor('DELETE', `/users/${bobId}/passkeys/${credId}`)).status, 204);
    assert.equal((await g.f.server.services.passkeyCredentials.list(bobId)).length, 0);
    const audited = await g.f.audit('admin.user.remove-passkey');
    assert.equal(audited.length, 1);
    assert.equal(audited[0]!.credentialId, credId);
    const notices = g.smsTo(BOB_MOBILE);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!.text, /passkey/);
    assert.equal((await twoFactor('DELETE', `/users/${bobId}/passkeys/${credId}`)).status, 404);
  });

  // not the API, but this suite has each database: the counter's conditional UPDATE is what stops one assertion
  // passing twice when two logins race with it (the signature check alone lets both through)
  test('two uses racing from one counter: exactly one moves it; an older counter moves nothing', async () => {
    const s = g.f.server.services;
    const { id } = await storePasskey(s, bobId, { signCount: 7 });
    const raced = await Promise.all([s.passkeyCredentials.used(id, 7, 8, 1), s.passkeyCredentials.used(id, 7, 8, 2)]);
    assert.deepEqual(raced.filter(Boolean).length, 1, `one winner: ${raced}`);
    assert.equal((await s.passkeyCredentials.get(id))!.signCount, 8);
    assert.equal(await s.passkeyCredentials.used(id, 7, 9, 3), false, 'a use from the old counter');
    assert.equal((await s.passkeyCredentials.get(id))!.signCount, 8);
    await s.passkeyCredentials.remove(bobId, id);
  });
});
