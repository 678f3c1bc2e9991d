// HTTP transport over undici: one keep-alive Agent per CA set, timeouts, and network errors turned into values.
import { createHash } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { Agent } from 'undici';
import { lazyModule } from '../lazy-module.js';
import { DESTINATION_REFUSED } from './destination.js';
import type { RenderedRequest } from './render.js';
import type { SendFailureCode } from './result.js';

/** undici (about 6 MiB of heap) loads with the first SMS a node sends, not at start. */
const undici = lazyModule<typeof import('undici')>('undici');

/** Cap on how much of a provider's answer we read and keep. */
const MAX_ANSWER_BYTES = 64 * 1024;

export type TransportOutcome =
  | { ok: true; status: number; body: string; contentType?: string }
  | { ok: false; code: SendFailureCode; reason: string };

export interface Timeouts {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
}

/** Keeps one Agent per (trusted PEM set, connect timeout); drops the old ones when the truststore changes. */
export class AgentPool {
  #agents = new Map<string, Agent>();
  #caKey = '';
  readonly #lookup: LookupFunction | undefined;

  /** `lookup` resolves host names for every connection (the destination guard's, which refuses internal addresses). */
  constructor(lookup?: LookupFunction) {
    this.#lookup = lookup;
  }

  agentFor(extraPems: readonly string[], connectTimeoutMs: number): Agent {
    const caKey = createHash('sha256')
      .update([...extraPems].sort().join('\n'))
      .digest('hex');
    if (caKey !== this.#caKey) {
      for (const agent of this.#agents.values()) void agent.close().catch(() => undefined);
      this.#agents.clear();
      this.#caKey = caKey;
    }
    const key = `${caKey}:${connectTimeoutMs}`;
    let agent = this.#agents.get(key);
    if (agent === undefined) {
      agent = new (undici().Agent)({
        connect: {
          ca: [...rootCertificates, ...extraPems],
          timeout: connectTimeoutMs,
          ...(this.#lookup ? { lookup: this.#lookup } : {}),
        },
        keepAliveTimeout: 30_000,
        connections: 16,
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.destroy().catch(() => undefined)));
  }
}

export async function transmit(agent: Agent, req: RenderedRequest, timeouts: Timeouts): Promise<TransportOutcome> {
  const flatHeaders = req.headers.flat();
  try {
    const res = await undici().request(req.url, {
      dispatcher: agent,
      method: req.method,
      headers: flatHeaders,
      body: req.body,
      headersTimeout: timeouts.responseTimeoutMs,
      bodyTimeout: timeouts.responseTimeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      if (size + buf.length > MAX_ANSWER_BYTES) {
        chunks.push(buf.subarray(0, MAX_ANSWER_BYTES - size));
        res.body.destroy();
        break;
      }
      chunks.push(buf);
      size += buf.length;
    }
    const contentType = res.headers['content-type'];
    const outcome: TransportOutcome = {
      ok: true,
      status: res.statusCode,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    if (typeof contentType === 'string') outcome.contentType = contentType;
    return outcome;
  } catch (err) {
    return { ok: false, ...describeNetworkError(err, new URL(req.url)) };
  }
}

const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

function refusalOf(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    if ((current as { code?: unknown }).code === DESTINATION_REFUSED) return messageOf(current);
    current = (current as { cause?: unknown }).cause;
  }
  return messageOf(err);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function describeNetworkError(err: unknown, url: URL): { code: SendFailureCode; reason: string } {
  const codes = errorCodes(err);
  const host = url.host;
  const has = (...names: string[]) => codes.some((c) => names.includes(c));
  if (has(DESTINATION_REFUSED)) return { code: 'destination-refused', reason: refusalOf(err) };
  if (codes.some((c) => TLS_TRUST_CODES.has(c))) {
    return {
      code: 'tls-untrusted',
      reason:
        `the TLS certificate of ${host} is not trusted (${codes.find((c) => TLS_TRUST_CODES.has(c))}). ` +
        `Fetch it (openssl s_client -connect ${url.hostname}:${url.port || 443} -showcerts) and import it: ` +
        'stepgate truststore import --file <cert.pem> --alias <name>',
    };
  }
  if (has('ERR_TLS_CERT_ALTNAME_INVALID')) {
    return { code: 'tls-untrusted', reason: `the TLS certificate of ${host} is not valid for that host name` };
  }
  if (has('CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID')) {
    return { code: 'tls-untrusted', reason: `the TLS certificate of ${host} is expired or not yet valid` };
  }
  if (has('UND_ERR_CONNECT_TIMEOUT')) return { code: 'timeout', reason: `connecting to ${host} timed out` };
  if (has('UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT')) {
    return { code: 'timeout', reason: `${host} did not answer within the response timeout` };
  }
  if (has('ECONNREFUSED')) return { code: 'connection-refused', reason: `${host} refused the connection` };
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME')) {
    return { code: 'dns', reason: `the host name ${url.hostname} could not be resolved` };
  }
  if (has('UND_ERR_INVALID_ARG', 'ERR_INVALID_URL')) {
    return { code: 'SMSOTP-10001', reason: `the request to ${host} is malformed: ${messageOf(err)}` };
  }
  return { code: 'SMSOTP-10002', reason: `sending to ${host} failed: ${codes[0] ?? messageOf(err)}` };
}
