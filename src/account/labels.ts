/**
 * Renaming one's own authenticator apps and passkeys: the label is the only thing a user may change on them.
 * The update names the owner, so an id of another user's credential changes nothing.
 */
import type { Db } from '../store/db.js';

export const MAX_LABEL = 64;

/** A label as stored: trimmed, control characters removed, at most MAX_LABEL characters; undefined when empty. */
export function cleanLabel(input: string): string | undefined {
  // control characters (below U+0020, and DEL) are dropped: a label is shown on pages and in audit events
  const label = [...input]
    .filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f)
    .join('')
    .trim()
    .slice(0, MAX_LABEL);
  return label === '' ? undefined : label;
}

export async function renameCredential(
  db: Db,
  kind: 'totp' | 'passkey',
  userId: string,
  id: string,
  label: string,
): Promise<boolean> {
  const table = kind === 'totp' ? 'totp_credentials' : 'webauthn_credentials';
  const result = await db
    .updateTable(table)
    .set({ label })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
