/**
 * Wrong codes per login, counted in the shared state store as SMS OTP counts tries per code: each submission first
 * takes a numbered slot and only the first `maxWrongCodesPerLogin` are evaluated, whichever node serves them. The
 * count belongs to the login (not to the option's state), so switching to another option and back restarts nothing.
 */
import type { StateStore } from '../../state/state-store.js';

export function createTotpAttempts(state: StateStore) {
  return {
    /** Takes the next slot of this login and phase; evaluate only when it is within `max`. */
    async take(
      loginId: string,
      phase: string,
      max: number,
      ttlMs: number,
    ): Promise<{ evaluate: boolean; slot: number }> {
      const slot = await state.increment(`totp:try:${phase}:${loginId}`, ttlMs);
      return { evaluate: slot <= max, slot };
    },
  };
}

export type TotpAttempts = ReturnType<typeof createTotpAttempts>;
