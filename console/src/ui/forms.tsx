// Form controls with labels, help and errors wired for screen readers (label for, aria-invalid, aria-describedby).
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { type Described, FieldRow, useDescribed } from './field-row.tsx';
import { useFormErrors } from './form-errors.tsx';
import { problemsFor, unclaimed } from './problems.ts';
import { afterName, asSentence } from './sentence.ts';

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
        onChange={(e) => {
          described.onEdit();
          props.onChange(e.target.value);
        }}
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
        onChange={(e) => {
          described.onEdit();
          props.onChange(e.target.value);
        }}
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
        onChange={(e) => {
          described.onEdit();
          props.onChange(e.target.value === '' ? '' : Number(e.target.value));
        }}
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
        onChange={(e) => {
          described.onEdit();
          props.onChange(e.target.value);
        }}
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
        onChange={(e) => {
          described.onEdit();
          props.onChange(e.target.checked);
        }}
      />
    </FieldRow>
  );
}

/**
 * A group of checkboxes that is one field of the API (`grantTypes`, `requestedClaims`): the field's error under the
 * legend, cleared when a box is changed.
 */
export function CheckboxGroup({
  id,
  legend,
  name,
  error,
  className = 'checks',
  choices,
  values,
  onChange,
}: {
  id: string;
  legend: ReactNode;
  name: string;
  error: unknown;
  className?: string;
  choices: { value: string; label: ReactNode }[];
  values: string[];
  onChange(values: string[]): void;
}) {
  const form = useFormErrors();
  const messages = form.isEdited(name)
    ? []
    : problemsFor(error, name).map((m) => asSentence(m, typeof legend === 'string' ? legend : undefined));
  const errorId = messages.length > 0 ? `${id}-error` : undefined;
  return (
    <fieldset className={className} id={id} aria-describedby={errorId}>
      <legend>{legend}</legend>
      {errorId && (
        <p className="field-error" id={errorId}>
          {messages.join(' ')}
        </p>
      )}
      {choices.map((c) => (
        <CheckboxField
          key={c.value}
          label={c.label}
          checked={values.includes(c.value)}
          onChange={(on) => {
            form.markEdited(name);
            onChange(on ? [...values, c.value] : values.filter((x) => x !== c.value));
          }}
        />
      ))}
    </fieldset>
  );
}

/** One URI (or value) a line; blank lines dropped. */
export function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * An action's error (outside a SubmitForm, which has its ErrorSummary): the problem's detail as a sentence and the
 * problems no field shows. The problem's code is for programs; people read the sentence.
 */
export function FormAlert({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  if (!error) return null;
  if (!(error instanceof ApiError)) {
    return (
      <div className="alert error" role="alert" tabIndex={-1}>
        <p>{asSentence(error instanceof Error ? error.message : String(error))}</p>
      </div>
    );
  }
  const rest = unclaimed(error, fields);
  const p = error.problem;
  return (
    <div className="alert error" role="alert" tabIndex={-1}>
      <p>
        <strong>{asSentence(p.detail || p.title)}</strong>
      </p>
      {rest.length > 0 && (
        <ul>
          {rest.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              <code>{e.field}</code> {afterName(e.message)}
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

interface SectionProps {
  title: string;
  children: ReactNode;
  open?: boolean;
  id?: string;
}

/** A collapsible part of a form at one heading level: a section (h2) or a part inside one (h3). */
function Collapsible({ title, children, open = true, id, sub }: SectionProps & { sub: boolean }) {
  const kind = sub ? 'subsection' : 'section';
  return (
    <details className={kind} open={open} id={id}>
      <summary>{sub ? <h3>{title}</h3> : <h2>{title}</h2>}</summary>
      <div className={`${kind}-body`}>{children}</div>
    </details>
  );
}

/** A collapsible section, open or closed by default, as the guide says "Expand … Configuration". */
export function Section(props: SectionProps) {
  return <Collapsible {...props} sub={false} />;
}

/** A part of a section (WSO2's "SAML2 Web SSO Configuration" inside "Inbound Authentication Configuration"). */
export function SubSection(props: SectionProps) {
  return <Collapsible {...props} sub />;
}

/** A secret the API shows once (client secret, backup codes): copy it now; `beside` says what goes with it. */
export function ShownOnce({
  title,
  value,
  beside,
  onDone,
}: {
  title: string;
  value: string;
  beside?: ReactNode;
  onDone(): void;
}) {
  return (
    <div className="alert once" role="alert">
      <p>
        <strong>{title}</strong> — shown once only. Copy it now; Stepgate keeps only a hash.
      </p>
      {beside}
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
