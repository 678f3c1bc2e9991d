/**
 * A key → value map of a schema (a TypeBox Record: `patternProperties`, no `properties`) edited as "KEY VALUE"
 * lines, e.g. the SMS fraud defence's price table (`GB 0.04`) and daily caps (`primary 100`). The text stays as
 * typed while it is edited (a half-typed "0." is no 0); a number that does not parse is sent as typed, so the
 * server's field problem names it.
 */
import { useState } from 'react';
import type { JsonSchema } from '../api/types.ts';
import type { Described } from './field-row.tsx';
import { TextArea } from './forms.tsx';

type Table = Record<string, unknown>;

/** The schema of a map's values, when the schema is a map of numbers or texts (what one line can hold). */
export function mapValueSchema(schema: JsonSchema): JsonSchema | undefined {
  if (schema.properties || !schema.patternProperties) return undefined;
  const values = Object.values(schema.patternProperties)[0];
  return values && ['number', 'integer', 'string'].includes(String(values.type)) ? values : undefined;
}

/** "GB 0.04" lines to a map; `numeric`: values are numbers. */
export function parseLines(text: string, numeric: boolean): Table {
  const table: Table = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const at = trimmed.search(/[\s=:]/);
    const key = at < 0 ? trimmed : trimmed.slice(0, at);
    const raw = at < 0 ? '' : trimmed.slice(at).replace(/^[\s=:]+/, '');
    const n = Number(raw);
    table[key] = numeric && raw !== '' && Number.isFinite(n) ? n : raw;
  }
  return table;
}

export const formatLines = (table: unknown): string =>
  Object.entries((table ?? {}) as Table)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join('\n');

export function KeyValueLines(
  props: Described & { value: unknown; valueSchema: JsonSchema; onChange(value: Table): void },
) {
  const [text, setText] = useState(() => formatLines(props.value));
  const numeric = props.valueSchema.type === 'number' || props.valueSchema.type === 'integer';
  return (
    <TextArea
      label={props.label}
      help={
        <>
          {props.help ? <>{props.help} </> : null}One <code>KEY VALUE</code> per line.
        </>
      }
      name={props.name}
      error={props.error}
      value={text}
      rows={Math.min(8, Math.max(2, text.split('\n').length + 1))}
      mono
      onChange={(next) => {
        setText(next);
        props.onChange(parseLines(next, numeric));
      }}
    />
  );
}
