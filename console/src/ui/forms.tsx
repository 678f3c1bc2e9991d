// Form controls with labels, help and errors wired for screen readers (label for, aria-invalid, aria-describedby).
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { type Described, FieldRow, useDescribed } from './field-row.tsx';
import { unclaimed } from './problems.ts';

type TextProps = Described & {
  value: string;
  onChange(value: string): void;
  type?: 'text' | 'password' | 'url' | 'email' | 'tel' | 'search' | 'datetime-local';
  required?: boolean;
  placeholder?: string;
  autoComplete?: string;
  readOnly?: boolean;
  disabled?: boolean;
  mono?: boolean;
  inputMode?: 'numeric' | 'tel' | 'text';
  className?: string;
};

export function TextField(props: TextProps) {
  const described = useDescribed(props);
  return (
    <FieldRow described={described} label={props.label} required={props.required} className={props.className}>
      <input
        {...described.aria}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete ?? 'off'}
        readOnly={props.readOnly}
        disabled={props.disabled}
        inputMode={props.inputMode}
        spellCheck={false}
        className={props.mono ? 'mono' : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </FieldRow>
  );
}

type AreaProps = Described & {
  value: string;
  onChange(value: string): void;
  rows?: number;
  required?: boolean;
  placeholder?: string;
  mono?: boolean;
};

export function TextArea(props: AreaProps) {
  const described = useDescribed(props);
  return (
    <FieldRow described={described} label={props.label} required={props.required}>
      <textarea
        {...described.aria}
        name={props.name}
        rows={props.rows ?? 3}
        value={props.value}
        required={props.required}
        placeholder={props.placeholder}
        spellCheck={false}
        className={props.mono ? 'mono' : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </FieldRow>
  );
}

type NumberProps = Described & {
  value: number | '';
  onChange(value: number | ''): void;
  min?: number;
  max?: number;
  step?: number | 'any';
  required?: boolean;
};

export function NumberField(props: NumberProps) {
  const described = useDescribed(props);
  // the required mark is not shown on number fields
  return (
    <FieldRow described={described} label={props.label}>
      <input
        {...described.aria}
        name={props.name}
        type="number"
        inputMode="numeric"
        value={props.value}
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        required={props.required}
        className="short"
        onChange={(e) => props.onChange(e.target.value === '' ? '' : Number(e.target.value))}
      />
    </FieldRow>
  );
}

export interface Choice {
  value: string;
  label: string;
}

type SelectProps = Described & {
  value: string;
  onChange(value: string): void;
  choices: Choice[];
  placeholder?: string;
  required?: boolean;
};

export function SelectField(props: SelectProps) {
  const described = useDescribed(props);
  return (
    <FieldRow described={described} label={props.label} required={props.required}>
      <select
        {...described.aria}
        name={props.name}
        value={props.value}
        required={props.required}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.placeholder !== undefined && <option value="">{props.placeholder}</option>}
        {props.choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </FieldRow>
  );
}

type CheckProps = Described & { checked: boolean; onChange(checked: boolean): void; disabled?: boolean };

export function CheckboxField(props: CheckProps) {
  const described = useDescribed(props);
  return (
    <FieldRow described={described} label={props.label} check>
      <input
        {...described.aria}
        name={props.name}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
      />
    </FieldRow>
  );
}

/** One URI (or value) a line; blank lines dropped. */
export function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The form's error at its top: the problem's detail and the problems no field shows. */
export function FormAlert({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  if (!error) return null;
  if (!(error instanceof ApiError)) {
    return (
      <div className="alert error" role="alert" tabIndex={-1}>
        <p>{error instanceof Error ? error.message : String(error)}</p>
      </div>
    );
  }
  const rest = unclaimed(error, fields);
  const p = error.problem;
  return (
    <div className="alert error" role="alert" tabIndex={-1}>
      <p>
        <strong>{p.detail || p.title}</strong>
        {p.code && <span className="code"> ({p.code})</span>}
      </p>
      {rest.length > 0 && (
        <ul>
          {rest.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              <code>{e.field}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A short success note after saving; announced politely. */
export function Saved({ message }: { message?: string }) {
  return (
    <p className="status" role="status" aria-live="polite">
      {message ?? ''}
    </p>
  );
}

/** A collapsible section, open or closed by default, as the guide says "Expand … Configuration". */
export function Section({
  title,
  children,
  open = true,
  id,
}: {
  title: string;
  children: ReactNode;
  open?: boolean;
  id?: string;
}) {
  return (
    <details className="section" open={open} id={id}>
      <summary>
        <h2>{title}</h2>
      </summary>
      <div className="section-body">{children}</div>
    </details>
  );
}

/** A secret the API shows once (client secret, backup codes): copy it now. */
export function ShownOnce({ title, value, onDone }: { title: string; value: string; onDone(): void }) {
  return (
    <div className="alert once" role="alert">
      <p>
        <strong>{title}</strong> — shown once only. Copy it now; Stepgate keeps only a hash.
      </p>
      <pre className="secret">{value}</pre>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(value)}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
