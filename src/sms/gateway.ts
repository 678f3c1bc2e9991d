// The SMS gateway: renders a configuration for one message, sends it, and reports the outcome as a value.
import type { GatewayConfig, Problem, SmsMessage } from './config.js';
import { createMasker, type Masker, maskRequest, secretsInRequest } from './mask.js';
import { PRESETS } from './presets/index.js';
import { type RenderedRequest, type RenderOutcome, renderTemplate } from './render.js';
import { codeForStatus, isExpectedStatus, type SendResult } from './result.js';
import { secretValuesOf } from './secrets.js';
import { AgentPool, transmit } from './transport.js';
import { effectiveTemplate } from './validate.js';

export interface SmsGatewayDeps {
  /** The truststore's PEM certificates, trusted besides the system roots. Called on every send. */
  trustedCertificates: () => Promise<string[]>;
  /** Clock for latency; tests may replace it. */
  now?: () => number;
}

export interface SmsGateway {
  /** The exact request a send would make (unmasked), or the configuration problem that prevents it. */
  render(config: GatewayConfig, message: SmsMessage): RenderedRequest | Problem;
  /** The request as it may be displayed: secrets as ****, the number masked. */
  renderMasked(config: GatewayConfig, message: SmsMessage): RenderedRequest | Problem;
  send(config: GatewayConfig, message: SmsMessage): Promise<SendResult>;
  close(): Promise<void>;
}

export function isProblem(value: RenderedRequest | Problem): value is Problem {
  return 'field' in value;
}

/** The message as the provider wants it: Vonage and Clickatell take the number without its `+`. */
function forProvider(config: GatewayConfig, message: SmsMessage): SmsMessage {
  if (config.preset === undefined || PRESETS[config.preset.provider].numberFormat === 'e164') return message;
  return { ...message, to: message.to.replace(/^\+/, '') };
}

function renderFor(config: GatewayConfig, message: SmsMessage): RenderOutcome {
  const adjusted = forProvider(config, message);
  return renderTemplate(effectiveTemplate(config, adjusted), adjusted);
}

function maskerFor(config: GatewayConfig, request: RenderedRequest, message: SmsMessage): Masker {
  return createMasker([...secretValuesOf(config), ...secretsInRequest(request)], message.to);
}

export function createSmsGateway(deps: SmsGatewayDeps): SmsGateway {
  const pool = new AgentPool();
  const now = deps.now ?? (() => performance.now());

  async function send(config: GatewayConfig, message: SmsMessage): Promise<SendResult> {
    const started = now();
    const elapsed = () => Math.round(now() - started);
    const rendered = renderFor(config, message);
    if (!rendered.ok) {
      return { ok: false, code: rendered.code, reason: rendered.problem.message, latencyMs: elapsed() };
    }
    const mask = maskerFor(config, rendered.request, message);
    const request = maskRequest(rendered.request, mask);
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

    const providerAnswer = mask(answer.body);
    const preset = config.preset === undefined ? undefined : PRESETS[config.preset.provider];
    const reading = preset?.read({ status: answer.status, body: answer.body });
    if (!isExpectedStatus(answer.status, config.expectedStatus)) {
      const detail = reading?.error === undefined ? '' : `: ${mask(reading.error)}`;
      return {
        ok: false,
        code: codeForStatus(answer.status),
        reason: `the provider answered HTTP ${answer.status}${detail}`,
        status: answer.status,
        providerAnswer,
        latencyMs: elapsed(),
        request,
      };
    }
    if (reading !== undefined && !reading.accepted) {
      return {
        ok: false,
        code: 'provider-rejected',
        reason: `the provider answered HTTP ${answer.status} but rejected the message: ${mask(reading.error ?? 'no reason given')}`,
        status: answer.status,
        providerAnswer,
        latencyMs: elapsed(),
        request,
      };
    }
    const success: SendResult = { ok: true, status: answer.status, latencyMs: elapsed(), request, providerAnswer };
    if (reading?.messageId !== undefined) success.messageId = reading.messageId;
    return success;
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
