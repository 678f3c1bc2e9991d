/**
 * WebAuthn challenges, single-use on every node: each is a record in the shared state store with a TTL, taken once by
 * a compare-and-set (the one submission that moves it from fresh to used wins; a replay, a second node, a late
 * double submit all lose). The step's state holds the challenge so the page can be shown again.
 */
import { randomBytes } from 'node:crypto';
import type { StateStore } from '../../state/state-store.js';

export const CHALLENGE_TTL_MS = 5 * 60_000;

interface Record_ {
  loginId: string;
  used: boolean;
}

export function createChallenges(state: StateStore) {
  const key = (challenge: string) => `passkey:challenge:${challenge}`;
  return {
    async issue(loginId: string): Promise<string> {
      const challenge = randomBytes(32).toString('base64url');
      await state.create<Record_>(key(challenge), { loginId, used: false }, CHALLENGE_TTL_MS);
      return challenge;
    },
    /** true once for a live challenge of this login; false when unknown, expired, used or another login's */
    async take(loginId: string, challenge: string): Promise<boolean> {
      const found = await state.get<Record_>(key(challenge));
      if (!found || found.value.used || found.value.loginId !== loginId) return false;
      return state.replace<Record_>(key(challenge), found.version, { loginId, used: true }, CHALLENGE_TTL_MS);
    },
  };
}

export type Challenges = ReturnType<typeof createChallenges>;
