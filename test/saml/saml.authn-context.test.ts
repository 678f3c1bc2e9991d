/** RequestedAuthnContext against Stepgate's acr values: each Comparison of SAML core §3.3.2.2.1, unknown classes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACR } from '../../src/authn/acr.js';
import { acceptableAcr, AUTHN_CONTEXT as C, statedClass } from '../../src/saml/authn-context.js';

const one = ACR.oneFactor;
const two = ACR.twoFactors;

test('no request: the login says what it reached (password only vs two factors)', () => {
  assert.equal(statedClass(undefined, one), C.passwordProtectedTransport);
  assert.equal(statedClass(undefined, two), C.mfa);
  assert.deepEqual(acceptableAcr(undefined), [one, two]);
});

test('exact: one of the listed classes the login truly reached, never a stronger claim than the login', () => {
  const mfa = { comparison: 'exact' as const, classRefs: [C.mfa] };
  assert.equal(statedClass(mfa, two), C.mfa);
  assert.equal(statedClass(mfa, one), undefined);
  assert.deepEqual(acceptableAcr(mfa), [two]);
  const ppt = { comparison: 'exact' as const, classRefs: [C.passwordProtectedTransport] };
  assert.equal(statedClass(ppt, one), C.passwordProtectedTransport);
  assert.equal(statedClass(ppt, two), C.passwordProtectedTransport, 'a two-factor login did use a password');
});

test('minimum and better', () => {
  const min = { comparison: 'minimum' as const, classRefs: [C.passwordProtectedTransport] };
  assert.equal(statedClass(min, one), C.passwordProtectedTransport);
  assert.equal(statedClass(min, two), C.mfa, 'the strongest context reached is stated');
  const minMfa = { comparison: 'minimum' as const, classRefs: [C.mfa] };
  assert.equal(statedClass(minMfa, one), undefined);
  const better = { comparison: 'better' as const, classRefs: [C.password] };
  assert.equal(statedClass(better, one), undefined);
  assert.equal(statedClass(better, two), C.mfa);
  assert.deepEqual(acceptableAcr(better), [two]);
});

test('maximum: the login class, capped at the strongest listed', () => {
  const max = { comparison: 'maximum' as const, classRefs: [C.passwordProtectedTransport] };
  assert.equal(statedClass(max, one), C.passwordProtectedTransport);
  assert.equal(statedClass(max, two), C.passwordProtectedTransport);
  assert.deepEqual(acceptableAcr(max), [one, two]);
});

test('Stepgate acr URIs are accepted as classes; unknown classes are ignored, and alone meet nothing', () => {
  assert.equal(statedClass({ comparison: 'exact', classRefs: [two] }, two), two);
  assert.equal(statedClass({ comparison: 'minimum', classRefs: ['urn:example:retina', C.mfa] }, two), C.mfa);
  assert.deepEqual(acceptableAcr({ comparison: 'minimum', classRefs: ['urn:example:retina'] }), []);
});
