/**
 * The SMS provider part of SMS OTP Configuration: a preset picker (Vonage, Clickatell, Plivo, Bulksms, Twilio, Custom),
 * the preset's own fields, or the plain SMS URL / HTTP Method / HTTP Headers / HTTP Payload / HTTP Response Code and
 * success rule; the number format for both. Switching providers keeps each one's values while the page is open, and
 * asks before leaving a configuration with stored secrets, which a save with another provider would replace.
 */
import { useId, useRef, useState } from 'react';
import { clientProblem } from '../../api/client.ts';
import type { JsonSchema } from '../../api/types.ts';
import { type GatewayConfig, PRESETS, type ProviderId, presetToPlain } from '../../sms/shared.ts';
import { FormAlert, SelectField, TextArea, TextField } from '../../ui/forms.tsx';
import { SchemaField } from '../../ui/schema-form.tsx';

const MASK = '********';
const ORDER: ProviderId[] = ['vonage', 'clickatell', 'plivo', 'bulksms', 'twilio'];
type Choice = ProviderId | 'custom';
type SuccessMode = 'status' | 'json' | 'pattern';

const keyOf = (value: GatewayConfig): Choice => value.preset?.provider ?? 'custom';
const labelOf = (choice: Choice) => (choice === 'custom' ? 'custom' : PRESETS[choice].label);

/** Whether the configuration holds secrets stored on the server (they reach the browser only as the mask). */
function holdsStoredSecrets(value: GatewayConfig): boolean {
  if (value.preset) return Object.values(value.preset.fields).some((v) => v === MASK);
  return [value.url, value.headers, value.payload].some((v) => (v ?? '').includes(MASK));
}

function successModeOf(value: GatewayConfig): SuccessMode {
  if ((value.successPattern ?? '') !== '') return 'pattern';
  return (value.successPointer ?? '') !== '' ? 'json' : 'status';
}
const ADVANCED = ['showDetailedErrors', 'maskValues', 'connectTimeoutMs', 'responseTimeoutMs'] as const;

interface Props {
  value: GatewayConfig;
  onChange(value: GatewayConfig): void;
  schema: JsonSchema | undefined;
  /** the API's field name of the gateway, e.g. authenticators[0].config.gateway */
  path: string;
  error: unknown;
}

/** A provider's preset with its declared defaults (From "Stepgate", the real API base URL...). */
function startPreset(provider: ProviderId): NonNullable<GatewayConfig['preset']> {
  const fields: Record<string, string> = {};
  for (const f of PRESETS[provider].fields) fields[f.name] = f.default ?? '';
  return { provider, fields };
}

export function GatewayEditor({ value, onChange, schema, path, error }: Props) {
  const groupId = useId();
  const [convertError, setConvertError] = useState<unknown>();
  const provider = value.preset?.provider;
  const props = schema?.properties ?? {};
  const set = (patch: Partial<GatewayConfig>) => onChange({ ...value, ...patch });
  // the values of every provider visited while the page is open, so switching back finds them again
  const visited = useRef<Partial<Record<Choice, GatewayConfig>>>({});
  const [successMode, setSuccessMode] = useState<SuccessMode>(() => successModeOf(value));

  const pick = (choice: Choice) => {
    const current = keyOf(value);
    if (choice === current) return;
    // masks come only from the server: a configuration holding them is the saved one
    if (holdsStoredSecrets(value)) {
      const ok = window.confirm(
        `Switch from ${labelOf(current)} to ${labelOf(choice)}? The saved ${labelOf(current)} settings stay on this ` +
          `page until you save; saving with ${labelOf(choice)} replaces them, and their stored secrets are gone.`,
      );
      if (!ok) return;
    }
    setConvertError(undefined);
    visited.current[current] = value;
    const remembered = visited.current[choice];
    let next: GatewayConfig;
    if (remembered) {
      next = remembered;
    } else if (choice === 'custom') {
      const { preset: _dropped, ...plain } = value;
      next = plain as GatewayConfig;
    } else {
      next = { ...value, preset: startPreset(choice) };
    }
    setSuccessMode(successModeOf(next));
    onChange(next);
  };

  const toPlain = () => {
    if (!value.preset) return;
    const preset = PRESETS[value.preset.provider];
    const masked = preset.fields.filter((f) => f.secret && value.preset?.fields[f.name] === MASK);
    if (masked.length > 0) {
      // the stored secret never reaches the browser, so it cannot be written into plain fields here
      setConvertError(
        clientProblem(
          masked.map((f) => ({
            field: `${path}.preset.fields.${f.name}`,
            message: `Type the ${f.label} again first: Stepgate does not send stored secrets to the browser.`,
          })),
          'Type the secret fields again before turning the preset into custom fields.',
        ),
      );
      return;
    }
    setConvertError(undefined);
    const plain = presetToPlain(value.preset, value);
    setSuccessMode(successModeOf(plain));
    onChange(plain);
  };

  const shownError = convertError ?? error;

  return (
    <div className="gateway">
      <fieldset className="presets">
        <legend>SMS provider</legend>
        <p className="field-help" id={`${groupId}-help`}>
          A preset fills in a correct request for the provider from a few fields. Custom: enter the SMS URL, HTTP
          Method, HTTP Headers and HTTP Payload yourself.
        </p>
        <div className="preset-choices" role="radiogroup" aria-describedby={`${groupId}-help`}>
          {ORDER.map((id) => (
            <label key={id} className={`preset-choice${provider === id ? ' selected' : ''}`}>
              <input
                type="radio"
                name={`${groupId}-provider`}
                value={id}
                checked={provider === id}
                onChange={() => pick(id)}
              />
              {PRESETS[id].label}
            </label>
          ))}
          <label className={`preset-choice${provider === undefined ? ' selected' : ''}`}>
            <input
              type="radio"
              name={`${groupId}-provider`}
              value="custom"
              checked={provider === undefined}
              onChange={() => pick('custom')}
            />
            Custom
          </label>
        </div>
      </fieldset>

      {convertError ? <FormAlert error={convertError} fields={[`${path}.preset`]} /> : null}

      {value.preset ? (
        <div className="preset-fields">
          <p className="muted">
            {PRESETS[value.preset.provider].label} API:{' '}
            <a href={PRESETS[value.preset.provider].docs} target="_blank" rel="noreferrer noopener">
              provider documentation
            </a>
          </p>
          {PRESETS[value.preset.provider].fields.map((f) => (
            <TextField
              key={`${value.preset?.provider}-${f.name}`}
              label={f.label}
              name={`${path}.preset.fields.${f.name}`}
              error={shownError}
              required={f.required}
              type={f.secret ? 'password' : 'text'}
              autoComplete={f.secret ? 'new-password' : 'off'}
              mono={f.name === 'baseUrl'}
              value={value.preset?.fields[f.name] ?? ''}
              help={
                f.secret && value.preset?.fields[f.name] === MASK ? `${f.help} Stored; leave as is to keep it.` : f.help
              }
              onChange={(v) =>
                set({ preset: { provider: value.preset!.provider, fields: { ...value.preset!.fields, [f.name]: v } } })
              }
            />
          ))}
          <div className="with-action">
            <button type="button" className="secondary" onClick={toPlain}>
              Use as custom fields
            </button>
            <p className="field-help">
              Turns this preset into plain SMS URL, HTTP Method, HTTP Headers and HTTP Payload fields you can edit.
            </p>
          </div>
        </div>
      ) : (
        <div className="plain-fields">
          <TextField
            label={props.url?.title ?? 'SMS URL'}
            name={`${path}.url`}
            error={error}
            value={value.url}
            onChange={(url) => set({ url })}
            mono
            required
            help={props.url?.description ?? 'Placeholders: $ctx.num (number), $ctx.msg (message), $ctx.otp (code).'}
          />
          <SelectField
            label={props.method?.title ?? 'HTTP Method'}
            name={`${path}.method`}
            error={error}
            value={value.method}
            onChange={(m) => set({ method: m as GatewayConfig['method'] })}
            choices={['POST', 'GET', 'PUT'].map((m) => ({ value: m, label: m }))}
          />
          <TextArea
            label={props.headers?.title ?? 'HTTP Headers'}
            name={`${path}.headers`}
            error={error}
            value={value.headers}
            onChange={(headers) => set({ headers })}
            mono
            rows={2}
            help={props.headers?.description}
            placeholder="Content-Type: application/json,Authorization: Basic ..."
          />
          <TextArea
            label={props.payload?.title ?? 'HTTP Payload'}
            name={`${path}.payload`}
            error={error}
            value={value.payload}
            onChange={(payload) => set({ payload })}
            mono
            rows={3}
            help={props.payload?.description}
            placeholder='{"to":"$ctx.num","text":"$ctx.msg"}'
          />
          <TextField
            label={props.expectedStatus?.title ?? 'HTTP Response Code'}
            name={`${path}.expectedStatus`}
            error={error}
            value={value.expectedStatus}
            onChange={(expectedStatus) => set({ expectedStatus })}
            inputMode="numeric"
            className="short-field"
            help={props.expectedStatus?.description ?? 'Blank: 200, 201 and 202 succeed.'}
          />
          <SelectField
            label="Success rule"
            name={`${path}.successRule`}
            error={error}
            value={successMode}
            onChange={(m) => {
              setSuccessMode(m as SuccessMode);
              set({
                ...(m !== 'json' ? { successPointer: '', successValue: '' } : {}),
                ...(m !== 'pattern' ? { successPattern: '' } : {}),
              });
            }}
            choices={[
              { value: 'status', label: 'The HTTP status alone' },
              { value: 'json', label: 'A value in the JSON answer' },
              { value: 'pattern', label: 'A pattern in the answer text' },
            ]}
            help="Many providers answer 200 also when they did not send the message: say what their answer looks like when they did."
          />
          {successMode === 'json' && (
            <>
              <TextField
                label={props.successPointer?.title ?? 'Success JSON Pointer'}
                name={`${path}.successPointer`}
                error={error}
                value={value.successPointer ?? ''}
                onChange={(successPointer) => set({ successPointer })}
                mono
                placeholder="/messages/0/status"
                help={props.successPointer?.description}
              />
              <TextField
                label={props.successValue?.title ?? 'Success value'}
                name={`${path}.successValue`}
                error={error}
                value={value.successValue ?? ''}
                onChange={(successValue) => set({ successValue })}
                mono
                className="short-field"
                placeholder="0"
                help={props.successValue?.description}
              />
            </>
          )}
          {successMode === 'pattern' && (
            <TextField
              label={props.successPattern?.title ?? 'Success pattern'}
              name={`${path}.successPattern`}
              error={error}
              value={value.successPattern ?? ''}
              onChange={(successPattern) => set({ successPattern })}
              mono
              placeholder="^0\|"
              help={props.successPattern?.description}
            />
          )}
        </div>
      )}

      <SelectField
        label={props.numberFormat?.title ?? 'Number format'}
        name={`${path}.numberFormat`}
        error={error}
        value={value.numberFormat ?? 'default'}
        onChange={(f) => set({ numberFormat: f as GatewayConfig['numberFormat'] })}
        choices={[
          {
            value: 'default',
            label: value.preset
              ? `${PRESETS[value.preset.provider].label} default (${PRESETS[value.preset.provider].numberFormat === 'digits' ? 'digits only' : '+E.164'})`
              : 'Default (+E.164)',
          },
          { value: 'e164', label: '+E.164, e.g. +94771234567' },
          { value: 'digits', label: 'Digits only, e.g. 94771234567' },
        ]}
        help="How $ctx.num is written in the request."
      />

      <details className="subsection">
        <summary>Gateway advanced options</summary>
        {ADVANCED.map((k) =>
          props[k] ? (
            <SchemaField
              key={k}
              name={k}
              schema={props[k]}
              value={value[k]}
              path={`${path}.${k}`}
              error={error}
              onChange={(v) => set({ [k]: v } as Partial<GatewayConfig>)}
            />
          ) : null,
        )}
      </details>
    </div>
  );
}
