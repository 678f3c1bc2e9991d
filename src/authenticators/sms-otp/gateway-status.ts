/**
 * Each gateway of an identity provider's SMS OTP configuration with its shared breaker's state and, for a gateway
 * with a daily spend cap, what it spent today against that cap (admin API, console).
 */
import type { IdentityProvider } from '../../identity/identity-providers.js';
import type { StateStore } from '../../state/state-store.js';
import { type BreakerStatus, createBreaker } from './breaker.js';
import { readConfig } from './config.js';
import { createSpendCap, dayOf } from './fraud/spend.js';
import { gatewaysOf } from './routing.js';

export interface GatewayStatus extends BreakerStatus {
  name: string;
  /** preset id, or `custom` */
  provider: string;
  failoverOnTimeout: boolean;
  /**
   * Today's spend (UTC day) against the gateway's daily cap; null without a cap, since only a capped gateway's
   * spend is counted (fraud/spend.ts). A test SMS is not in it (sms-test/send-test-sms.ts).
   */
  spend: { spent: number; cap: number; day: string } | null;
}

/** The statuses in failover order, or undefined when the identity provider has no SMS OTP configuration. */
export async function gatewayStatuses(
  state: StateStore,
  idp: IdentityProvider,
  now: number = Date.now(),
): Promise<{ breaker: ReturnType<typeof readConfig>['breaker']; gateways: GatewayStatus[] } | undefined> {
  const entry = idp.authenticators.find((a) => a.type === 'sms-otp');
  if (!entry) return undefined;
  const config = readConfig(entry.config);
  const breaker = createBreaker(state);
  const spend = createSpendCap(state);
  const gateways = await Promise.all(
    gatewaysOf(config).map(async (g) => {
      const cap = config.fraud.spend.dailyCaps[g.name];
      return {
        name: g.name,
        provider: g.config.preset?.provider ?? 'custom',
        failoverOnTimeout: g.failoverOnTimeout,
        ...(await breaker.status(idp.id, g.name, config.breaker)),
        spend: cap === undefined ? null : { spent: await spend.spent(idp.id, g.name, now), cap, day: dayOf(now) },
      };
    }),
  );
  return { breaker: config.breaker, gateways };
}
