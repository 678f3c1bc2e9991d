// Checks a gateway configuration before it is saved or used, naming the field each problem is about.
import { type GatewayConfig, HTTP_METHODS, type Problem, type SmsMessage } from './config.js';
import { bodyKindOf } from './encode.js';
import { headerValue } from './headers.js';
import { PRESETS, resolveFields } from './presets/index.js';
import { type RequestTemplate, renderTemplate } from './render.js';
import { plainSuccessRules, ruleProblem } from './success.js';
import { findBarePlaceholders } from './template.js';

const SAMPLE: SmsMessage = { to: '+94771234567', text: 'Verification Code: 123456', otp: '123456' };

const problem = (field: string, message: string, severity: Problem['severity'] = 'error'): Problem => ({
  field,
  message,
  severity,
});

/** The request template a configuration sends: the preset's when one is chosen, else the plain fields. */
export function effectiveTemplate(config: GatewayConfig, message?: SmsMessage): RequestTemplate {
  if (config.preset === undefined) return config;
  return PRESETS[config.preset.provider].template(resolveFields(config.preset), message);
}

function presetProblems(config: GatewayConfig): Problem[] {
  const selection = config.preset;
  if (selection === undefined) return [];
  const preset = PRESETS[selection.provider];
  if (preset === undefined) return [problem('preset.provider', `unknown provider "${String(selection.provider)}"`)];
  const problems: Problem[] = [];
  const fields = resolveFields(selection);
  for (const field of preset.fields) {
    if (field.required && (fields[field.name] ?? '').trim() === '') {
      problems.push(problem(`preset.fields.${field.name}`, `${field.label} is required for ${preset.label}`));
    }
  }
  for (const name of Object.keys(selection.fields)) {
    if (!preset.fields.some((f) => f.name === name)) {
      problems.push(
        problem(`preset.fields.${name}`, `${preset.label} has no field "${name}"; it is ignored`, 'warning'),
      );
    }
  }
  for (const message of preset.check?.(fields) ?? []) problems.push(problem('preset.fields', message));
  return problems;
}

function plainProblems(config: GatewayConfig): Problem[] {
  const problems: Problem[] = [];
  if (config.url.trim() === '') problems.push(problem('url', 'the SMS URL is required'));
  if (!HTTP_METHODS.includes(config.method))
    problems.push(problem('method', 'the HTTP method must be GET, POST or PUT'));
  for (const field of ['url', 'headers', 'payload'] as const) {
    for (const bare of findBarePlaceholders(config[field])) {
      problems.push(problem(field, `"${bare}" has no $ in front; did you mean "$${bare}"?`, 'warning'));
    }
  }
  if (config.method === 'GET' && config.payload.trim() !== '') {
    problems.push(problem('payload', 'a GET request has no body; the payload is ignored', 'warning'));
  }
  const rules = plainSuccessRules(config);
  for (const rule of rules) {
    const why = ruleProblem(rule);
    if (why !== undefined) problems.push(problem('pattern' in rule ? 'successPattern' : 'successPointer', why));
  }
  if ((config.successPointer ?? '').trim() === '' && (config.successValue ?? '') !== '') {
    problems.push(problem('successValue', 'a success value needs a success JSON Pointer; it is ignored', 'warning'));
  }
  return problems;
}

export function validateGatewayConfig(config: GatewayConfig): Problem[] {
  const problems = config.preset === undefined ? plainProblems(config) : presetProblems(config);
  if (config.preset !== undefined && plainSuccessRules(config).length > 0) {
    problems.push(
      problem(
        'successPointer',
        'a preset checks the answer with its own rules; the success fields are ignored',
        'warning',
      ),
    );
  }
  const expected = config.expectedStatus.trim();
  if (expected !== '' && !/^[1-5]\d\d$/.test(expected)) {
    problems.push(problem('expectedStatus', 'the HTTP response code must be blank or a status such as 200'));
  }
  for (const field of ['connectTimeoutMs', 'responseTimeoutMs'] as const) {
    if (!Number.isInteger(config[field]) || config[field] <= 0) {
      problems.push(problem(field, 'the timeout must be a positive number of milliseconds'));
    }
  }
  if (problems.some((p) => p.severity === 'error')) return problems;

  const template = effectiveTemplate(config, SAMPLE);
  const rendered = renderTemplate(template, SAMPLE);
  if (!rendered.ok) {
    const field = config.preset === undefined ? rendered.problem.field : 'preset.fields';
    problems.push({ ...rendered.problem, field });
    return problems;
  }
  const { body, headers } = rendered.request;
  if (body !== undefined && bodyKindOf(headerValue(headers, 'content-type')) === 'json') {
    try {
      JSON.parse(body);
    } catch {
      problems.push(problem('payload', 'the payload is not valid JSON once the placeholders are filled in'));
    }
  }
  return problems;
}
