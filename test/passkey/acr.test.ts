/** A passkey that verified its user is two factors on its own; without user verification, or `user` alone, one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { amrOf } from '../../src/authenticators/passkey/webauthn.js';
import { ACR, summarise } from '../../src/authn/acr.js';

test('a device-bound passkey with user verification: hwk + user, two factors', () => {
  assert.deepEqual(summarise(amrOf('singleDevice', true)), { amr: ['hwk', 'user', 'mfa'], acr: ACR.twoFactors });
});

test('a synced passkey with user verification: swk + user, two factors', () => {
  assert.deepEqual(summarise(amrOf('multiDevice', true)), { amr: ['swk', 'user', 'mfa'], acr: ACR.twoFactors });
});

test('a passkey without user verification is one factor', () => {
  assert.deepEqual(summarise(amrOf('singleDevice', false)), { amr: ['hwk'], acr: ACR.oneFactor });
});

test('near misses: `user` beside a password or alone adds no factor', () => {
  assert.equal(summarise(['pwd', 'user']).acr, ACR.oneFactor);
  assert.equal(summarise(['user']).acr, ACR.oneFactor);
  assert.equal(summarise(['otp', 'user']).acr, ACR.oneFactor);
});

test('password then passkey with UV stays two factors, one mfa', () => {
  assert.deepEqual(summarise(['pwd', 'hwk', 'user']), { amr: ['pwd', 'hwk', 'user', 'mfa'], acr: ACR.twoFactors });
});
