/**
 * One message through a route's gateways, in order, until one sends or a timeout stops the failover, with each
 * gateway's shared circuit breaker asked first and told the outcome. Returns what decides the page and every gateway
 * tried, for the audit event.
 */
import {
  type GatewayConfig,
  mayHaveBeenDelivered,
  type SendFailure,
  type SendResult,
  type SmsGateway,
} from '../../sms/index.js';
import type { Admission, Breaker } from './breaker.js';
import type { SmsOtpConfig } from './config.js';
import type { RoutedGateway } from './routing.js';

/** One gateway tried for a send, as the audit event lists it. */
export interface GatewayTry {
  gateway: string;
  /** the failure code, `circuit-open` for a gateway its breaker skipped, `spend-cap` past its daily cap; absent for the one that sent */
  code?: string;
  reason?: string;
  status?: number;
  latencyMs?: number;
  /** tried although its breaker is open, because every other gateway of the route failed */
  lastResort?: boolean;
}

/** What a gateway spends from before it is asked (the daily spend cap, fraud/spend.ts): false skips the gateway. */
export interface GatewayBudget {
  take(gateway: RoutedGateway): Promise<boolean>;
  /** the gateway definitively did not send: its price goes back */
  giveBack(gateway: RoutedGateway): Promise<void>;
}

export interface Delivery {
  /** the answer that decides: the success, else a timeout (the message may arrive), else the last failure */
  result: SendResult;
  /** the gateway that gave it */
  gateway: RoutedGateway | undefined;
  tried: GatewayTry[];
  latencyMs: number;
}

/**
 * The route's gateways in order, until one sends or a timeout stops the failover. A gateway whose breaker is open
 * is skipped; only when every other gateway of the route failed are the skipped ones tried, in order, as a last
 * resort (`lastResort` in the audit event): a breaker spares a failing gateway the traffic another gateway can carry,
 * but never leaves a route without a gateway, so a single gateway behaves as it did before there were breakers.
 */
export async function deliver(
  deps: {
    gateway: SmsGateway;
    breaker: Breaker;
    budget?: GatewayBudget;
    /** the configuration a send uses: with its receipt callback URL (sms/receipts), when messages are recorded */
    prepare?: (gateway: RoutedGateway) => GatewayConfig;
  },
  config: SmsOtpConfig,
  scope: string,
  gateways: RoutedGateway[],
  message: { to: string; text: string; otp: string },
): Promise<Delivery> {
  const tried: GatewayTry[] = [];
  const skipped: { gateway: RoutedGateway; admission: Admission }[] = [];
  let latencyMs = 0;
  let decisive: { result: SendFailure; gateway: RoutedGateway } | undefined;
  let sent: { result: SendResult; gateway: RoutedGateway } | undefined;

  /** One gateway: true when the failover ends here (sent, or a timeout that may have delivered). */
  const attempt = async (gateway: RoutedGateway, admission: Admission, lastResort: boolean): Promise<boolean> => {
    if (deps.budget && !(await deps.budget.take(gateway))) {
      tried.push({ gateway: gateway.name, code: 'spend-cap', reason: 'the daily spend cap is reached' });
      return false;
    }
    const result = await deps.gateway.send(deps.prepare?.(gateway) ?? gateway.config, message);
    latencyMs += result.latencyMs;
    const mark = lastResort ? { lastResort: true } : {};
    if (result.ok) {
      // a last-resort success proves the gateway works again: it closes like a good trial
      await deps.breaker.success(scope, gateway.name, admission);
      tried.push({ gateway: gateway.name, latencyMs: result.latencyMs, ...mark });
      sent = { result, gateway };
      return true;
    }
    if (!lastResort) await deps.breaker.failure(scope, gateway.name, config.breaker, admission);
    tried.push({
      gateway: gateway.name,
      code: result.code,
      reason: result.reason,
      ...(result.status !== undefined ? { status: result.status } : {}),
      latencyMs: result.latencyMs,
      ...mark,
    });
    const timedOut = mayHaveBeenDelivered(result.code);
    if (!timedOut) await deps.budget?.giveBack(gateway);
    // a timeout decides the page: the code may still arrive, so it is kept even if a later gateway fails
    if (!decisive || timedOut || !mayHaveBeenDelivered(decisive.result.code)) decisive = { result, gateway };
    return timedOut && !gateway.failoverOnTimeout;
  };
  let stopped = false;
  for (const gateway of gateways) {
    const admission = await deps.breaker.admit(scope, gateway.name, config.breaker);
    if (!admission.admitted) {
      tried.push({ gateway: gateway.name, code: 'circuit-open', reason: `the breaker is ${admission.state}` });
      skipped.push({ gateway, admission });
      continue;
    }
    stopped = await attempt(gateway, admission, false);
    if (stopped) break;
  }
  for (const { gateway, admission } of stopped ? [] : skipped) {
    if (await attempt(gateway, admission, true)) break;
  }
  const outcome = sent ?? decisive;
  if (outcome) return { ...outcome, tried, latencyMs };
  const none: SendFailure = { ok: false, code: 'invalid-config', reason: 'the route names no gateway', latencyMs };
  return { result: none, gateway: undefined, tried, latencyMs };
}
