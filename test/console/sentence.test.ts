/** Unit tests on top of the browser suites: how the console turns the API's message fragments into sentences. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterName, asSentence } from '../../console/src/ui/sentence.js';

test('a fragment gets a capital and a full stop; a finished sentence stays as it is', () => {
  assert.equal(asSentence('the user alice exists already'), 'The user alice exists already.');
  assert.equal(asSentence('Enter a name.'), 'Enter a name.');
  assert.equal(
    asSentence('  Expected string length greater or equal to 1 '),
    'Expected string length greater or equal to 1.',
  );
});

test('a predicate takes the field label as its subject', () => {
  assert.equal(asSentence('is required', 'Service Provider Name'), 'Service Provider Name is required.');
  assert.equal(asSentence('must be 3–255 letters', 'Client ID'), 'Client ID must be 3–255 letters.');
  // near miss: a word that only starts like a predicate is not one
  assert.equal(asSentence('issuer mismatch', 'Client ID'), 'Issuer mismatch.');
  // without a label the predicate is just capitalised
  assert.equal(asSentence('is required'), 'Is required.');
});

test('a first word that is not a plain word keeps its case', () => {
  assert.equal(asSentence('http://wso2.org/claims/mobile is built in'), 'http://wso2.org/claims/mobile is built in.');
  assert.equal(asSentence('"bad!" is not a scope name'), '"bad!" is not a scope name.');
  assert.equal(asSentence('$ctx.num is missing'), '$ctx.num is missing.');
});

test('after a field name in code a predicate stays lower case', () => {
  assert.equal(afterName('must be at least 16 characters'), 'must be at least 16 characters.');
  assert.equal(afterName('unknown field'), 'Unknown field.');
});
