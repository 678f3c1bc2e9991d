/**
 * The SMS gateway with a span around each send, that is each gateway a login's failover tries: the provider, the
 * host it was sent to and what came of it. The number, the text and the code never go on the span.
 */
import type { SmsGateway } from '../sms/index.js';
import type { Tracer } from '../tracing.js';

export function tracedGateway(gateway: SmsGateway, tracer: Tracer): SmsGateway {
  return {
    ...gateway,
    send: (config, message) =>
      tracer.span('sms.send', { 'sms.provider': config.preset?.provider ?? 'plain' }, async (span) => {
        const result = await gateway.send(config, message);
        let host = '';
        try {
          // the masked request: its URL holds no secret of a preset (those go in headers or the body)
          host = new URL(result.request?.url ?? '').host;
        } catch {
          // the configuration produced no URL
        }
        span.set({
          'server.address': host,
          'sms.outcome': result.ok ? 'sent' : result.code,
          'sms.latency_ms': result.latencyMs,
          ...(result.status !== undefined ? { 'http.response.status_code': result.status } : {}),
        });
        return result;
      }),
  };
}
