/** Each gateway of an identity provider's SMS OTP configuration with its shared breaker's state (admin API, console). */
import type { IdentityProvider } from '../../identity/identity-providers.js';
import type { StateStore } from '../../state/state-store.js';
import { type BreakerStatus, createBreaker } from './breaker.js';
import { readConfig } from './config.js';
import { gatewaysOf } from './routing.js';

export interface GatewayStatus extends BreakerStatus {
  name: string;
  /** preset id, or `custom` */
  provider: string;
  failoverOnTimeout: boolean;
}

/** The statuses in failover order, or undefined when the identity provider has no SMS OTP configuration. */
export async function gatewayStatuses(
  state: StateStore,
  idp: IdentityProvider,
): Promise<{ breaker: ReturnType<typeof readConfig>['breaker']; gateways: GatewayStatus[] } | undefined> {
  const entry = idp.authenticators.find((a) => a.type === 'sms-otp');
  if (!entry) return undefined;
  const config = readConfig(entry.config);
  const breaker = createBreaker(state);
  const gateways = await Promise.all(
    gatewaysOf(config).map(async (g) => ({
      name: g.name,
      provider: g.config.preset?.provider ?? 'custom',
      failoverOnTimeout: g.failoverOnTimeout,
      ...(await breaker.status(idp.id, g.name, config.breaker)),
    })),
  );
  return { breaker: config.breaker, gateways };
}
