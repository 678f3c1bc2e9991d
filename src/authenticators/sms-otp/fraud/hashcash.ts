/**
 * The built-in send challenge: a hashcash-style proof of work that needs no third party. The page gives a random
 * challenge and a difficulty; a small script (web/assets/proof-of-work.js) finds a nonce such that
 * SHA-256("<challenge>:<nonce>") starts with that many zero bits, and posts it. Checking costs one hash; finding costs
 * about 2^bits. A challenge is stored in the shared state store with the login it was issued to and its expiry, and
 * a passed answer is claimed with an atomic counter, so it works once, on one login, on any node.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PromptOutcome } from '../../../authn/authenticator.js';
import type { Keyring } from '../../../crypto/keyring.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ChallengePolicy, ChallengeRequest, ChallengeVerdict, SendChallenge } from './challenge.js';

interface Issued {
  loginId: string;
  bits: number;
  expiresAt: number;
}

/** an expired challenge is kept this much longer, so its answer is refused as expired rather than unknown */
const GRACE_MS = 10 * 60_000;
const NONCE = /^[0-9a-z]{1,32}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{22}$/;
export const CHALLENGE_PAGE = 'sms-otp/challenge';

/** Leading zero bits of a digest. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function solves(challenge: string, nonce: string, bits: number): boolean {
  return leadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest()) >= bits;
}

export function createHashcashChallenge(state: StateStore, keyring: Keyring): SendChallenge {
  // client IPs are keyed by a keyed hash: the state store never holds them in clear
  const ipKey = (ip: string) => `smsfraud:pow-ip:${keyring.mac('sms-fraud', 'ip', ip).slice(0, 32)}`;
  const recordKey = (id: string) => `smsfraud:pow:${id}`;
  const usedKey = (id: string) => `smsfraud:pow-used:${id}`;

  const render = (id: string, policy: ChallengePolicy, expiresAt: number): PromptOutcome => ({
    kind: 'prompt',
    page: CHALLENGE_PAGE,
    data: { challenge: id, bits: policy.difficultyBits, challengeExpiresAt: expiresAt },
  });

  return {
    kind: 'hashcash',
    async needed(req, policy) {
      if (policy.softLimitPerIp <= 0) return false;
      return (await state.count(ipKey(req.ip))) >= policy.softLimitPerIp;
    },
    async counted(req, policy) {
      if (policy.softLimitPerIp <= 0) return;
      await state.increment(ipKey(req.ip), policy.windowMinutes * 60_000);
    },
    async issue(req: ChallengeRequest, policy) {
      const id = randomBytes(16).toString('base64url');
      const expiresAt = req.now + policy.expirySeconds * 1000;
      await state.create<Issued>(
        recordKey(id),
        { loginId: req.loginId, bits: policy.difficultyBits, expiresAt },
        policy.expirySeconds * 1000 + GRACE_MS,
      );
      return { id, prompt: render(id, policy, expiresAt) };
    },
    render,
    async verify(req, expected, input): Promise<ChallengeVerdict> {
      const id = input.challenge ?? '';
      const nonce = input.pow ?? '';
      if (!CHALLENGE.test(id) || !NONCE.test(nonce)) return { ok: false, reason: 'missing' };
      if ((await state.count(usedKey(id))) > 0) return { ok: false, reason: 'replayed' };
      const issued = (await state.get<Issued>(recordKey(id)))?.value;
      if (!issued) return { ok: false, reason: 'expired' };
      if (issued.loginId !== req.loginId) return { ok: false, reason: 'other-login' };
      // an older challenge of this login, superseded by a newer one: not the question asked
      if (expected !== id) return { ok: false, reason: 'wrong' };
      if (req.now >= issued.expiresAt) return { ok: false, reason: 'expired' };
      if (!solves(id, nonce, issued.bits)) return { ok: false, reason: 'wrong' };
      // the claim is atomic on every back end: of two submissions of one answer, one passes
      if ((await state.increment(usedKey(id), issued.expiresAt - req.now + GRACE_MS)) !== 1)
        return { ok: false, reason: 'replayed' };
      await state.delete(recordKey(id));
      return { ok: true };
    },
  };
}
