/**
 * The OpenTelemetry tracer behind the `Tracer` interface (tracing.ts): spans batched to an OTLP/HTTP receiver (JSON
 * protocol, `{endpoint}/v1/traces`), sampled by trace id ratio unless an incoming `traceparent` decided already, the
 * request id on every span. services.ts imports this module only when `tracing.enabled` is true, so the SDK and the
 * exporter are never loaded otherwise.
 *
 * The current span travels in an AsyncLocalStorage of this module rather than OpenTelemetry's global context
 * manager: nothing global is registered, so two servers in one process (the tests) keep their traces apart.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { Config } from '../config/schema.js';
import type { OpenSpan, SpanAttributes, SpanHandle, TraceCarrier, Tracer } from '../tracing.js';

export interface Tracing {
  tracer: Tracer;
  /** where the id of the current request comes from (the web layer's request context); it goes on every span */
  tagRequests(source: () => string | undefined): void;
  /** exports every ended span now; rejects when the receiver did not take them (tests) */
  flush(): Promise<void>;
  /** exports what is left and stops; never rejects */
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP traces URL of a base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT is defined (the signal path added). */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

export function startTracing(config: Config['tracing']): Tracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    // a caller that sent a sampled (or unsampled) traceparent decided for the whole trace; the ratio applies otherwise
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [
      new BatchSpanProcessor({
        // a receiver that hangs holds neither a request (exports run beside them) nor the shutdown for long
        exporter: new OTLPTraceExporter({
          url: tracesUrl(config.endpoint),
          headers: config.headers,
          timeoutMillis: 5000,
        }),
        scheduledDelayMillis: 1000,
        exportTimeoutMillis: 5000,
      }),
    ],
  });
  const otel = provider.getTracer('stepgate');
  const propagator = new W3CTraceContextPropagator();
  const current = new AsyncLocalStorage<Context>();
  let requestIdOf: () => string | undefined = () => undefined;

  const handle = (span: Span): SpanHandle => ({ set: (attributes) => void span.setAttributes(attributes) });

  function start(name: string, attributes: SpanAttributes, parent: Context, kind: SpanKind): Span {
    const requestId = requestIdOf();
    return otel.startSpan(
      name,
      { kind, attributes: requestId ? { ...attributes, 'stepgate.request_id': requestId } : attributes },
      parent,
    );
  }

  function fail(span: Span, error: unknown): void {
    // the class name only: an error's message may quote the input that caused it
    const kind = error instanceof Error ? error.name : typeof error;
    span.setStatus({ code: SpanStatusCode.ERROR, message: kind });
    span.setAttribute('error.type', kind);
  }

  const tracer: Tracer = {
    enabled: true,
    async span(name, attributes, work) {
      const parent = current.getStore() ?? ROOT_CONTEXT;
      const span = start(name, attributes, parent, SpanKind.INTERNAL);
      try {
        return await current.run(trace.setSpan(parent, span), () => work(handle(span)));
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
    open(name, attributes, carrier: TraceCarrier): OpenSpan {
      const parent = propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
      const span = start(name, attributes, parent, SpanKind.SERVER);
      const inside = trace.setSpan(parent, span);
      let ended = false;
      return {
        ...handle(span),
        run: (work) => current.run(inside, work),
        end(failed) {
          if (ended) return;
          ended = true;
          if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
  };
  return {
    tracer,
    tagRequests(source) {
      requestIdOf = source;
    },
    flush: () => provider.forceFlush(),
    // spans the receiver did not take by then are lost; the node stops anyway
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}
