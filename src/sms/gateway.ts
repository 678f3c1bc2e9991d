// The SMS gateway: renders a configuration for one message, sends it, and reports the outcome as a value.
import type { GatewayConfig, Problem, SmsMessage } from './config.js';
import { createDestinationGuard, type DestinationPolicy, OPEN_POLICY } from './destination.js';
import { excerpt } from './excerpt.js';
import { createMasker, type Masker, maskPhone, maskRequest, secretsInRequest } from './mask.js';
import { PRESETS } from './presets/index.js';
import { type RenderedRequest, type RenderOutcome, renderTemplate } from './render.js';
import { codeForStatus, isExpectedStatus, type SendFailure, type SendResult } from './result.js';
import { secretValuesOf } from './secrets.js';
import { checkSuccess, plainSuccessRules, pointerTokens } from './success.js';
import { AgentPool, transmit } from './transport.js';
import { effectiveTemplate } from './validate.js';

/** One failed send as it is logged: masked number, masked reason, never a secret. */
export interface SendFailureLog {
  code: SendFailure['code'];
  reason: string;
  to: string;
  host: string;
  provider: string;
  status?: number;
  latencyMs: number;
  /** what the operator can do about it, when Stepgate knows */
  hint?: string;
}

export interface SmsGatewayDeps {
  /** The truststore's PEM certificates, trusted besides the system roots. Called on every send. */
  trustedCertificates: () => Promise<string[]>;
  /** Which destinations may be used; default: any (the gateway alone, in tests). The server passes its config. */
  destinations?: DestinationPolicy;
  /** Receives every failed send, to be logged at warn level. */
  onFailure?: (entry: SendFailureLog) => void;
  /** Clock for latency; tests may replace it. */
  now?: () => number;
}

export interface SmsGateway {
  /** The exact request a send would make (unmasked), or the configuration problem that prevents it. */
  render(config: GatewayConfig, message: SmsMessage): RenderedRequest | Problem;
  /** The request as it may be displayed: secrets masked, the number masked. */
  renderMasked(config: GatewayConfig, message: SmsMessage): RenderedRequest | Problem;
  send(config: GatewayConfig, message: SmsMessage): Promise<SendResult>;
  close(): Promise<void>;
}

export function isProblem(value: RenderedRequest | Problem): value is Problem {
  return 'field' in value;
}

/** How `$ctx.num` is written for this configuration: its own choice, else the preset's, else E.164. */
export function numberFormatOf(config: GatewayConfig): 'e164' | 'digits' {
  if (config.numberFormat !== undefined && config.numberFormat !== 'default') return config.numberFormat;
  return config.preset === undefined ? 'e164' : PRESETS[config.preset.provider].numberFormat;
}

function forProvider(config: GatewayConfig, message: SmsMessage): SmsMessage {
  if (numberFormatOf(config) === 'e164') return message;
  return { ...message, to: message.to.replace(/^\+/, '') };
}

function renderFor(config: GatewayConfig, message: SmsMessage): RenderOutcome {
  const adjusted = forProvider(config, message);
  return renderTemplate(effectiveTemplate(config, adjusted), adjusted);
}

/** A plain configuration's message id: the value at its message id pointer in a JSON answer. */
function plainMessageId(config: GatewayConfig, body: string): string | undefined {
  const tokens =
    config.preset === undefined && config.messageIdPointer ? pointerTokens(config.messageIdPointer) : undefined;
  if (tokens === undefined || tokens.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const token of tokens) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[token];
  }
  return typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, 255) : undefined;
}

function maskerFor(config: GatewayConfig, request: RenderedRequest, message: SmsMessage): Masker {
  return createMasker([...secretValuesOf(config), ...secretsInRequest(request)], message.to);
}

const TRUSTSTORE_HINT =
  'import the provider certificate: stepgate truststore import --file <cert.pem> --alias <name> (docs/truststore.md)';

function hintFor(failure: SendFailure): string | undefined {
  if (failure.code === 'tls-untrusted') return TRUSTSTORE_HINT;
  if (failure.code === 'destination-refused')
    return 'the SMS URL points at an internal address; see sms.allowPrivateDestinations in docs/configuration.md';
  return undefined;
}

export function createSmsGateway(deps: SmsGatewayDeps): SmsGateway {
  const guard = createDestinationGuard(deps.destinations ?? OPEN_POLICY);
  const pool = new AgentPool(guard.lookup);
  const now = deps.now ?? (() => performance.now());

  async function attempt(config: GatewayConfig, message: SmsMessage, started: number): Promise<SendResult> {
    const elapsed = () => Math.round(now() - started);
    const rendered = renderFor(config, message);
    if (!rendered.ok) {
      return { ok: false, code: rendered.code, reason: rendered.problem.message, latencyMs: elapsed() };
    }
    const mask = maskerFor(config, rendered.request, message);
    const request = maskRequest(rendered.request, mask);
    const refused = guard.refuseLiteral(new URL(rendered.request.url).hostname);
    if (refused !== undefined) {
      return { ok: false, code: 'destination-refused', reason: refused, latencyMs: elapsed(), request };
    }
    let pems: string[];
    try {
      pems = await deps.trustedCertificates();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        code: 'SMSOTP-10002',
        reason: `could not load the truststore: ${why}`,
        latencyMs: elapsed(),
        request,
      };
    }
    const agent = pool.agentFor(pems, config.connectTimeoutMs);
    const answer = await transmit(agent, rendered.request, config);
    if (!answer.ok) return { ok: false, code: answer.code, reason: mask(answer.reason), latencyMs: elapsed(), request };

    // a hostile or internal server may answer anything: only a short, masked excerpt ever leaves the gateway
    const providerAnswer = excerpt(mask(answer.body));
    const preset = config.preset === undefined ? undefined : PRESETS[config.preset.provider];
    const reading = preset?.read({ status: answer.status, body: answer.body });
    const providerError = reading?.error === undefined ? undefined : excerpt(mask(reading.error));
    if (!isExpectedStatus(answer.status, config.expectedStatus)) {
      const detail = providerError ?? (providerAnswer === '' ? 'an empty answer' : `"${providerAnswer}"`);
      return {
        ok: false,
        code: codeForStatus(answer.status),
        reason: `the provider answered HTTP ${answer.status}: ${detail}`,
        status: answer.status,
        providerAnswer,
        latencyMs: elapsed(),
        request,
      };
    }
    const verdict = checkSuccess(preset?.success ?? plainSuccessRules(config), answer.body);
    if (!verdict.ok) {
      return {
        ok: false,
        code: 'provider-rejected',
        reason: `the provider answered HTTP ${answer.status} but did not send the message: ${providerError ?? mask(verdict.why)}`,
        status: answer.status,
        providerAnswer,
        latencyMs: elapsed(),
        request,
      };
    }
    const success: SendResult = { ok: true, status: answer.status, latencyMs: elapsed(), request, providerAnswer };
    const messageId = reading?.messageId ?? plainMessageId(config, answer.body);
    if (messageId !== undefined) success.messageId = messageId;
    return success;
  }

  async function send(config: GatewayConfig, message: SmsMessage): Promise<SendResult> {
    const result = await attempt(config, message, now());
    if (!result.ok && deps.onFailure) {
      let host = '';
      try {
        host = new URL(result.request?.url ?? '').host;
      } catch {
        // the configuration could not produce a URL
      }
      const hint = hintFor(result);
      deps.onFailure({
        code: result.code,
        reason: result.reason,
        to: maskPhone(message.to),
        host,
        provider: config.preset?.provider ?? 'plain',
        ...(result.status !== undefined ? { status: result.status } : {}),
        latencyMs: result.latencyMs,
        ...(hint !== undefined ? { hint } : {}),
      });
    }
    return result;
  }

  return {
    render(config, message) {
      const rendered = renderFor(config, message);
      return rendered.ok ? rendered.request : rendered.problem;
    },
    renderMasked(config, message) {
      const rendered = renderFor(config, message);
      if (!rendered.ok) return rendered.problem;
      return maskRequest(rendered.request, maskerFor(config, rendered.request, message));
    },
    send,
    close: () => pool.close(),
  };
}
