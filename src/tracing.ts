/**
 * The tracer every layer is handed: a span around a piece of work, with attributes that are never secrets. The
 * engine, the SMS gateway and the web layer see only this interface; the OpenTelemetry implementation
 * (ops/tracing.ts) is imported only when tracing is on, so a node with tracing off loads none of it. The no-op
 * tracer below is the default everywhere.
 */

/** Attribute values a span may carry: ids, names, counts and outcomes — never a code, a password or a number. */
export type SpanAttributes = Record<string, string | number | boolean>;

export interface SpanHandle {
  /** adds attributes learnt while the work ran (an outcome, a status) */
  set(attributes: SpanAttributes): void;
}

/** A span the caller ends itself (an HTTP request, which ends when its response is written). */
export interface OpenSpan extends SpanHandle {
  /** runs `work` with this span as the parent of every span started inside it, across awaits */
  run<T>(work: () => T): T;
  /** ends the span; `failed` marks it as an error */
  end(failed?: boolean): void;
}

/** Incoming headers a trace may continue from (W3C `traceparent` and `tracestate`). */
export type TraceCarrier = Record<string, string | string[] | undefined>;

export interface Tracer {
  /** false for the no-op tracer: callers skip the work of naming attributes nobody reads */
  readonly enabled: boolean;
  /**
   * Runs `work` inside a child span of the current one. A thrown error marks the span failed (by the error's class
   * name only: a message may quote input) and is thrown on.
   */
  span<T>(name: string, attributes: SpanAttributes, work: (span: SpanHandle) => Promise<T>): Promise<T>;
  /** Starts a span whose parent is the trace context in `carrier`, or a new trace; the caller ends it. */
  open(name: string, attributes: SpanAttributes, carrier: TraceCarrier): OpenSpan;
}

const noSpan: OpenSpan = {
  set: () => undefined,
  run: (work) => work(),
  end: () => undefined,
};

/** Tracing off: runs the work and records nothing. */
export const noopTracer: Tracer = {
  enabled: false,
  span: (_name, _attributes, work) => work(noSpan),
  open: () => noSpan,
};
