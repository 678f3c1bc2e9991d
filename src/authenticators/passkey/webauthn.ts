/**
 * The WebAuthn ceremonies through @simplewebauthn/server: the relying party is the deployment (RP ID the host name of
 * `publicUrl`, origin its origin). The installation's passkey settings (identity/authenticator-settings.ts) choose
 * user verification (required by default), attestation ('none' by default), discoverable credentials ('preferred' by
 * default, so a passkey can be the first step: the browser offers the user's passkeys, and the credential names its
 * user) and the name the browser shows.
 */
import type * as SimpleWebAuthn from '@simplewebauthn/server';
import { defaultSettings, type PasskeySettings } from '../../identity/authenticator-settings.js';
import type { StoredPasskey } from './credentials.js';

/** WebAuthn's choices when a caller names none: user verification required, attestation none, discoverable preferred. */
const DEFAULTS: PasskeySettings = defaultSettings().passkey;

export const TIMEOUT_MS = 120_000;

/** @simplewebauthn/server and its ASN.1 stack (about 5 MiB of heap) load with the first ceremony, not at start. */
let library: Promise<typeof SimpleWebAuthn> | undefined;
const webauthn = () => {
  library ??= import('@simplewebauthn/server');
  return library;
};

export interface RelyingParty {
  rpID: string;
  origin: string;
  name: string;
}

export function relyingPartyOf(publicUrl: string, name = ''): RelyingParty {
  const url = new URL(publicUrl);
  return { rpID: url.hostname, origin: url.origin, name: name.trim() || url.host };
}

/** amr of a passkey (RFC 8176): a device-bound key is hardware, a synced one software; `user` when UV was done. */
export function amrOf(deviceType: string, userVerified: boolean): string[] {
  return [deviceType === 'multiDevice' ? 'swk' : 'hwk', ...(userVerified ? ['user'] : [])];
}

export async function authenticationOptions(
  rp: RelyingParty,
  challenge: string,
  allow: StoredPasskey[] | undefined,
  settings: Pick<PasskeySettings, 'userVerification'> = DEFAULTS,
) {
  return (await webauthn()).generateAuthenticationOptions({
    rpID: rp.rpID,
    // bytes: a string would be taken as text and encoded once more
    challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
    timeout: TIMEOUT_MS,
    userVerification: settings.userVerification,
    ...(allow
      ? { allowCredentials: allow.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransport[] })) }
      : {}),
  });
}

type AuthenticatorTransport = 'ble' | 'cable' | 'hybrid' | 'internal' | 'nfc' | 'smart-card' | 'usb';

export async function registrationOptions(
  rp: RelyingParty,
  challenge: string,
  user: { id: string; username: string },
  exclude: StoredPasskey[],
  settings: PasskeySettings = DEFAULTS,
) {
  return (await webauthn()).generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.rpID,
    userName: user.username,
    userID: new TextEncoder().encode(user.id),
    // bytes: a string would be taken as text and encoded once more
    challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
    timeout: TIMEOUT_MS,
    attestationType: settings.attestation,
    excludeCredentials: exclude.map((c) => ({ id: c.id, transports: c.transports })),
    authenticatorSelection: { residentKey: settings.residentKey, userVerification: settings.userVerification },
  });
}

/** The credential JSON the page posted, or undefined when it is not one. */
export function parseCredential(text: string | undefined): Record<string, unknown> | undefined {
  if (!text || text.length > 64_000) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.id !== 'string' || typeof v.response !== 'object' || v.response === null) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

export type AssertionCheck =
  | { ok: true; newCounter: number; userVerified: boolean; deviceType: string }
  | { ok: false; reason: string; detail?: string };

export async function checkAssertion(
  rp: RelyingParty,
  challenge: string,
  response: Record<string, unknown>,
  credential: StoredPasskey,
  requireUserVerification = true,
): Promise<AssertionCheck> {
  try {
    const result = await (await webauthn()).verifyAuthenticationResponse({
      // biome-ignore lint/suspicious/noExplicitAny: shape checked by the library, which throws on anything else
      response: response as any,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification,
      credential: {
        id: credential.id,
        publicKey: credential.publicKey as Uint8Array<ArrayBuffer>,
        counter: credential.signCount,
        transports: credential.transports as AuthenticatorTransport[],
      },
    });
    if (!result.verified) return { ok: false, reason: 'not-verified' };
    const info = result.authenticationInfo;
    return {
      ok: true,
      newCounter: info.newCounter,
      userVerified: info.userVerified,
      deviceType: info.credentialDeviceType,
    };
  } catch (e) {
    const message = (e as Error).message ?? '';
    return {
      ok: false,
      reason: /counter/i.test(message) ? 'sign-count-regression' : 'invalid-assertion',
      detail: message.slice(0, 200),
    };
  }
}

export type AttestationCheck =
  | {
      ok: true;
      id: string;
      publicKey: Uint8Array;
      counter: number;
      transports: string[];
      deviceType: string;
      backedUp: boolean;
      userVerified: boolean;
    }
  | { ok: false; reason: string; detail?: string };

export async function checkAttestation(
  rp: RelyingParty,
  challenge: string,
  response: Record<string, unknown>,
  requireUserVerification = true,
): Promise<AttestationCheck> {
  try {
    const result = await (await webauthn()).verifyRegistrationResponse({
      // biome-ignore lint/suspicious/noExplicitAny: shape checked by the library, which throws on anything else
      response: response as any,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification,
    });
    if (!result.verified) return { ok: false, reason: 'not-verified' };
    const info = result.registrationInfo;
    return {
      ok: true,
      id: info.credential.id,
      publicKey: info.credential.publicKey,
      counter: info.credential.counter,
      transports: info.credential.transports ?? [],
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      userVerified: info.userVerified,
    };
  } catch (e) {
    return { ok: false, reason: 'invalid-attestation', detail: String((e as Error).message ?? e).slice(0, 200) };
  }
}
