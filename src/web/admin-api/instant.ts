/**
 * A time in a query string, as the admin API's lists take it: ISO 8601 or epoch milliseconds. The schema bounds its
 * length; `instant` reads it, and an unreadable one is a 400 naming the field, never a silently dropped filter.
 */
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../identity/errors.js';

export const Instant = (description: string) =>
  Type.Optional(Type.String({ maxLength: 64, description: `${description}: ISO 8601 or epoch milliseconds.` }));

export function instant(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d{1,16}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new ValidationError([{ field, message: 'must be an ISO 8601 date-time or epoch milliseconds' }]);
  return ms;
}
