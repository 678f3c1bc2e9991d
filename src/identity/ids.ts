/** Identifiers: random, URL-safe, not guessable. */
import { randomBytes } from 'node:crypto';

export function newId(prefix = ''): string {
  return `${prefix}${randomBytes(12).toString('base64url')}`;
}
