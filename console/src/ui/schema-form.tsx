/**
 * Renders a configuration form from its JSON Schema (the authenticator's TypeBox schema, served by the admin API):
 * titles become labels, descriptions help texts, literal unions selects, booleans checkboxes, objects fieldsets,
 * key → value maps "KEY VALUE" lines.
 */
import type { ReactNode } from 'react';
import type { JsonSchema } from '../api/types.ts';
import { CheckboxField, linesOf, NumberField, SelectField, TextArea, TextField } from './forms.tsx';
import { KeyValueLines, mapValueSchema } from './key-value-lines.tsx';

export interface SchemaFieldProps {
  name: string;
  schema: JsonSchema;
  value: unknown;
  onChange(value: unknown): void;
  /** the API's field name for errors, e.g. authenticators[0].config.otpLength */
  path: string;
  error: unknown;
  /** extra content under the control (a live preview) */
  after?: ReactNode;
}

export function labelOf(name: string, schema: JsonSchema): string {
  if (schema.title) return schema.title;
  const words = name.replace(/([A-Z])/g, ' $1').replace(/[_-]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

function literals(schema: JsonSchema): string[] | undefined {
  const list = schema.anyOf ?? schema.oneOf;
  if (list?.every((s) => s.const !== undefined)) return list.map((s) => String(s.const));
  if (schema.enum) return schema.enum.map(String);
  return undefined;
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

/** The schema's defaults as a value: what a new configuration starts from. */
export function defaultsOf(schema: JsonSchema): unknown {
  if (typeOf(schema) === 'object' && schema.properties) {
    const base = (schema.default && typeof schema.default === 'object' ? schema.default : {}) as Record<
      string,
      unknown
    >;
    const out: Record<string, unknown> = { ...base };
    for (const [k, s] of Object.entries(schema.properties)) {
      if (out[k] === undefined) {
        const d = defaultsOf(s);
        if (d !== undefined) out[k] = d;
      }
    }
    return out;
  }
  return schema.default;
}

export function SchemaField({ name, schema, value, onChange, path, error, after }: SchemaFieldProps) {
  const label = labelOf(name, schema);
  const help = schema.description;
  /** what every control of a schema field gets */
  const common = { label, help, name: path, error };
  const t = typeOf(schema);
  const choices = literals(schema);
  if (choices) {
    return (
      <>
        <SelectField
          {...common}
          value={String(value ?? '')}
          onChange={onChange}
          choices={choices.map((c) => ({ value: c, label: c }))}
        />
        {after}
      </>
    );
  }
  if (t === 'boolean') return <CheckboxField {...common} checked={value === true} onChange={onChange} />;
  if (t === 'integer' || t === 'number') {
    return (
      <>
        <NumberField
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={onChange}
          min={schema.minimum}
          max={schema.maximum}
          step={t === 'integer' ? 1 : 'any'}
        />
        {after}
      </>
    );
  }
  if (t === 'array') {
    const list = Array.isArray(value) ? value.map(String) : [];
    return (
      <>
        <TextArea
          {...common}
          help={`${help ? `${help} ` : ''}One per line.`}
          value={list.join('\n')}
          rows={Math.min(6, Math.max(2, list.length + 1))}
          mono
          onChange={(text) => onChange(linesOf(text))}
        />
        {after}
      </>
    );
  }
  const mapValues = t === 'object' ? mapValueSchema(schema) : undefined;
  if (mapValues) {
    return (
      <>
        <KeyValueLines {...common} value={value} valueSchema={mapValues} onChange={onChange} />
        {after}
      </>
    );
  }
  if (t === 'object' && schema.properties) {
    const obj = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    return (
      <fieldset className="group">
        <legend>{label}</legend>
        {help && <p className="field-help">{help}</p>}
        <SchemaFields
          properties={schema.properties}
          keys={Object.keys(schema.properties)}
          config={obj}
          onChange={onChange}
          path={path}
          error={error}
        />
        {after}
      </fieldset>
    );
  }
  const multiline = /template|payload|message$/i.test(name) || (schema.maxLength ?? 0) > 1024;
  const text = { ...common, value: String(value ?? ''), onChange };
  return (
    <>
      {multiline ? <TextArea {...text} rows={2} /> : <TextField {...text} mono={/regex|pattern|url/i.test(name)} />}
      {after}
    </>
  );
}

/** Fields for some of an object schema's properties, each changing its key of the object. */
export function SchemaFields({
  properties,
  keys,
  config,
  onChange,
  path,
  error,
}: {
  properties: Record<string, JsonSchema>;
  keys: string[];
  config: Record<string, unknown>;
  onChange(config: Record<string, unknown>): void;
  /** the API's field name of the object */
  path: string;
  error: unknown;
}) {
  return keys.map((k) => (
    <SchemaField
      key={k}
      name={k}
      schema={properties[k]!}
      value={config[k]}
      path={`${path}.${k}`}
      error={error}
      onChange={(v) => onChange({ ...config, [k]: v })}
    />
  ));
}
