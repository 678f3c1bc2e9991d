/**
 * Adding an authenticator app: a fresh secret, shown once as a QR code and an otpauth:// URI, becomes a credential
 * only when a code from the app comes back (the app read the secret, and its clock is right). The pending secret is
 * kept sealed: in the login step's state inside the login, in the shared state store for the admin API.
 */
import type { StateStore } from '../../state/state-store.js';
import type { Db } from '../../store/db.js';
import { matchingStep, newSecret, otpauthUri, qrSvg } from './code.js';
import { ENROLMENT_TTL_MS, MAX_CREDENTIALS, type TotpConfig } from './config.js';
import type { TotpCredential, TotpCredentialStore } from './credentials.js';

export interface PendingEnrolment {
  userId: string;
  secretSealed: string;
  label: string;
  digits: number;
  period: number;
  /** absent in enrolments started before the setting existed: SHA-1 */
  algorithm?: string;
  startedAt: number;
}

/** What the user is shown: the URI (which carries the secret) and its QR code; never stored in clear. */
export interface EnrolmentDisplay {
  otpauthUri: string;
  qrSvg: string;
  /** the secret in base32, grouped by four for typing into an app by hand */
  secret: string;
  issuer: string;
  account: string;
}

export type ConfirmResult =
  | { ok: true; credential: TotpCredential }
  | { ok: false; reason: 'invalid-code' | 'expired' | 'too-many-credentials' };

export function issuerOf(config: TotpConfig, publicUrl: string): string {
  return config.issuer.trim() || new URL(publicUrl).host;
}

export async function prepareEnrolment(
  store: TotpCredentialStore,
  config: TotpConfig,
  user: { id: string; username: string },
  publicUrl: string,
  label: string,
  now: number,
): Promise<{ pending: PendingEnrolment; display: EnrolmentDisplay }> {
  const pending: PendingEnrolment = {
    userId: user.id,
    secretSealed: store.seal(newSecret()),
    label,
    digits: config.digits,
    period: config.periodSeconds,
    algorithm: config.algorithm,
    startedAt: now,
  };
  return { pending, display: await displayOf(store, config, pending, user.username, publicUrl) };
}

/** The QR code and URI of a pending enrolment, made again from its sealed secret (the page shown once more). */
export async function displayOf(
  store: TotpCredentialStore,
  config: TotpConfig,
  pending: PendingEnrolment,
  account: string,
  publicUrl: string,
): Promise<EnrolmentDisplay> {
  const secret = store.open(pending.secretSealed);
  const issuer = issuerOf(config, publicUrl);
  const uri = otpauthUri(secret, issuer, account, pending);
  return { otpauthUri: uri, qrSvg: await qrSvg(uri), secret: secret.replace(/(.{4})/g, '$1 ').trim(), issuer, account };
}

/** The first code from the app: within the drift, before the enrolment expires; then the credential is stored. */
export async function confirmEnrolment(
  store: TotpCredentialStore,
  config: TotpConfig,
  pending: PendingEnrolment,
  code: string,
  now: number,
  within?: Db,
): Promise<ConfirmResult> {
  if (now - pending.startedAt > ENROLMENT_TTL_MS) return { ok: false, reason: 'expired' };
  const secret = store.open(pending.secretSealed);
  const step = matchingStep(secret, code, pending, now, config.driftSteps);
  if (step === undefined) return { ok: false, reason: 'invalid-code' };
  if ((await store.list(pending.userId, within)).length >= MAX_CREDENTIALS)
    return { ok: false, reason: 'too-many-credentials' };
  const credential = await store.add(
    pending.userId,
    { secret, label: pending.label, digits: pending.digits, period: pending.period, algorithm: pending.algorithm },
    step,
    now,
    within,
  );
  return { ok: true, credential };
}

/** Enrolments started through the admin API, waiting for their code in the shared state store (any node confirms). */
export function createEnrolments(state: StateStore) {
  const key = (id: string) => `totp:enrolment:${id}`;
  return {
    async save(id: string, pending: PendingEnrolment): Promise<void> {
      await state.create(key(id), pending, ENROLMENT_TTL_MS);
    },
    async get(id: string): Promise<PendingEnrolment | undefined> {
      return (await state.get<PendingEnrolment>(key(id)))?.value;
    },
    async drop(id: string): Promise<void> {
      await state.delete(key(id));
    },
    /** Wrong confirmation codes of one enrolment, counted on every node. */
    tries: (id: string) => state.increment(`totp:enrolment-tries:${id}`, ENROLMENT_TTL_MS),
  };
}

export type Enrolments = ReturnType<typeof createEnrolments>;
