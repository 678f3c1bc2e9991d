/**
 * Adding a passkey, for the login step (a user with none adds one inside the login) and for My Account's Security
 * page: the attestation checked under the relying party and the single-use challenge, the user's limit and the
 * credential id's uniqueness enforced, then the credential stored — in the caller's transaction when it passes one
 * (My Account's audit event commits with the insert).
 */
import type { Db } from '../../store/db.js';
import type { PasskeyCredentialStore, StoredPasskey } from './credentials.js';
import { type AttestationCheck, checkAttestation, type RelyingParty } from './webauthn.js';

export interface PasskeyRegistrationInput {
  rp: RelyingParty;
  challenge: string;
  /** the browser's answer, as parseCredential read it */
  response: Record<string, unknown>;
  requireUserVerification: boolean;
  userId: string;
  /** how many passkeys the user has now (read only once the attestation passed) */
  registered: () => Promise<number> | number;
  maxCredentials: number;
  now: number;
  /**
   * Runs the insert; the default runs it alone. My Account passes one that opens a transaction, inserts with it and
   * writes its audit event in the same transaction.
   */
  commit?: (insert: (within?: Db) => Promise<StoredPasskey>) => Promise<StoredPasskey>;
}

export type PasskeyRegistration =
  | { ok: true; stored: StoredPasskey; checked: Extract<AttestationCheck, { ok: true }> }
  | { ok: false; refused: 'attestation'; reason: string; detail?: string }
  | { ok: false; refused: 'too-many' | 'exists' };

export async function registerPasskey(
  credentials: PasskeyCredentialStore,
  input: PasskeyRegistrationInput,
): Promise<PasskeyRegistration> {
  const checked = await checkAttestation(input.rp, input.challenge, input.response, input.requireUserVerification);
  if (!checked.ok)
    return {
      ok: false,
      refused: 'attestation',
      reason: checked.reason,
      ...(checked.detail ? { detail: checked.detail } : {}),
    };
  if ((await input.registered()) >= input.maxCredentials) return { ok: false, refused: 'too-many' };
  if (await credentials.get(checked.id)) return { ok: false, refused: 'exists' };
  const insert = (within?: Db) =>
    credentials.add(
      input.userId,
      {
        id: checked.id,
        publicKey: checked.publicKey,
        signCount: checked.counter,
        transports: checked.transports,
        deviceType: checked.deviceType,
        backedUp: checked.backedUp,
        label: 'Passkey',
      },
      input.now,
      within,
    );
  const stored = await (input.commit ? input.commit(insert) : insert());
  return { ok: true, stored, checked };
}
