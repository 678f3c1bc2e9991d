/**
 * Tries per code, counted in the shared state store: each submission first takes a numbered slot, and only the
 * first `maxWrongCodesPerOtp` slots are evaluated. So 50 concurrent guesses on one login evaluate at most that many,
 * on any node, whatever the order in which their transaction writes land.
 */
import { type LoginTransaction, transactionKey } from '../../authn/login-transaction.js';
import type { StateStore } from '../../state/state-store.js';
import type { SmsOtpState } from './state.js';

const POLL_MS = 20;
const WAIT_MS = 3000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createAttempts(state: StateStore) {
  const key = (loginId: string, otpId: string, what: string) => `smsotp:${what}:${loginId}:${otpId}`;

  async function waitFor(check: () => Promise<boolean>): Promise<void> {
    for (let waited = 0; waited < WAIT_MS && !(await check()); waited += POLL_MS) await sleep(POLL_MS);
  }

  return {
    /** Takes the next slot; true when this submission may be evaluated. */
    async take(
      loginId: string,
      otpId: string,
      max: number,
      ttlMs: number,
    ): Promise<{ evaluate: boolean; slot: number }> {
      const slot = await state.increment(key(loginId, otpId, 'try'), ttlMs);
      return { evaluate: slot <= max, slot };
    },
    /** Marks an evaluated slot as finished, and whether it passed. */
    async settle(loginId: string, otpId: string, passed: boolean, ttlMs: number): Promise<void> {
      if (passed) await state.increment(key(loginId, otpId, 'ok'), ttlMs);
      await state.increment(key(loginId, otpId, 'settled'), ttlMs);
    },
    /**
     * A submission that found no free slot waits until the evaluated ones finished; if one of them passed, it also
     * waits until that winner's transaction write landed. Its own write then loses the compare-and-set, so a double
     * submit of the right code never shows "too many attempts" in place of the finished login.
     */
    async awaitEvaluated(loginId: string, otpId: string, max: number): Promise<void> {
      await waitFor(async () => (await state.count(key(loginId, otpId, 'settled'))) >= max);
      if ((await state.count(key(loginId, otpId, 'ok'))) === 0) return;
      await waitFor(async () => {
        const tx = (await state.get<LoginTransaction>(transactionKey(loginId)))?.value;
        const live = tx?.current?.state as Partial<SmsOtpState> | undefined;
        return tx?.status !== 'in-progress' || live?.otp?.id !== otpId;
      });
    },
  };
}

export type Attempts = ReturnType<typeof createAttempts>;
