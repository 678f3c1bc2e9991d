/** The two normalisers on their own (their HTTP behaviour is in test/admin-api/users-identity.test.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalisePhone } from '../../src/identity/phone.js';
import { foldUsername, prepareUsername } from '../../src/identity/usernames.js';

test('usernames: case, width and compatibility forms fold to one name', () => {
  for (const typed of ['Admin', 'ADMIN', 'ａｄｍｉｎ', ' admin '])
    assert.deepEqual(prepareUsername(typed), { ok: true, username: 'admin' });
  assert.equal(foldUsername('Ⅻ.Ｍａｒｙ'), 'xii.mary');
});

test('usernames: letters of two scripts are refused, one script of any kind is accepted', () => {
  const refused = ['аdmin' /* Cyrillic а */, 'pаypal', 'gοogle' /* Greek ο */, 'ßΑ'];
  for (const name of refused) assert.equal(prepareUsername(name).ok, false, name);
  const accepted = ['пётр', 'αλέξης', '山田たろう', 'カタカナ漢字', 'user_42', 'ada.lovelace@example', 'ナ1'];
  for (const name of accepted) assert.equal(prepareUsername(name).ok, true, name);
  // digits and punctuation belong to no script: a near miss of the mixed-script rule
  assert.equal(prepareUsername('иван-2024').ok, true);
  assert.equal(prepareUsername('a b').ok, false);
  assert.equal(prepareUsername('x'.repeat(255)).ok, true);
  assert.equal(prepareUsername('x'.repeat(256)).ok, false);
});

test('phone numbers: spellings of one number are one E.164 value; a digit short, a local form or text are refused', () => {
  for (const typed of ['+94 77 765 4321', '+94777654321', '+94 (77) 765-4321', ' +94-77-765-4321 '])
    assert.deepEqual(normalisePhone(typed), { ok: true, e164: '+94777654321' });
  for (const bad of ['+94 77 765 432', '0777654321', 'call me', '', '+'.padEnd(40, '1')])
    assert.equal(normalisePhone(bad).ok, false, bad);
  // a local form is accepted only where a default country is given
  assert.deepEqual(normalisePhone('077 765 4321', 'LK'), { ok: true, e164: '+94777654321' });
});
