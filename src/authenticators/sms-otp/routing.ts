/**
 * Which gateways a message goes through, in order: the configuration's named gateways (or, for a configuration of
 * the older shape, its single `gateway` as a list of one named `default`), narrowed by the first route whose E.164
 * prefixes or countries match the destination; a destination no route matches uses every gateway in order.
 */
import type { GatewayConfig } from '../../sms/index.js';
import type { NamedGateway, SmsOtpConfig } from './config.js';

/** The name the single `gateway` of the older shape goes by in audit events, routes and the breaker status. */
export const SINGLE_GATEWAY_NAME = 'default';

export interface RoutedGateway {
  name: string;
  config: GatewayConfig;
  failoverOnTimeout: boolean;
}

function split(g: NamedGateway): RoutedGateway {
  const { name, failoverOnTimeout, ...config } = g;
  return { name, config, failoverOnTimeout };
}

/** Every gateway of the configuration, in failover order. */
export function gatewaysOf(config: Pick<SmsOtpConfig, 'gateway' | 'gateways'>): RoutedGateway[] {
  if (config.gateways.length > 0) return config.gateways.map(split);
  return [{ name: SINGLE_GATEWAY_NAME, config: config.gateway, failoverOnTimeout: false }];
}

/** The gateways for one destination: the first matching route's, in its order, else all of them. */
export function routeFor(
  config: Pick<SmsOtpConfig, 'gateway' | 'gateways' | 'routes'>,
  to: { e164: string; country: string | undefined },
): { route: number | null; gateways: RoutedGateway[] } {
  const all = gatewaysOf(config);
  const index = config.routes.findIndex(
    ({ match }) =>
      (match.prefixes ?? []).some((p) => to.e164.startsWith(p)) ||
      (to.country !== undefined && (match.countries ?? []).includes(to.country)),
  );
  const route = config.routes[index];
  if (route === undefined) return { route: null, gateways: all };
  const byName = new Map(all.map((g) => [g.name, g]));
  return { route: index, gateways: route.gateways.flatMap((n) => byName.get(n) ?? []) };
}
