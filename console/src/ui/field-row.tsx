// One form field's frame: its label (with the required mark), the control, and the error and help texts under it,
// tied together for screen readers with label for, aria-invalid and aria-describedby.
import { type ReactNode, useId } from 'react';
import { useFormErrors } from './form-errors.tsx';
import { problemsFor } from './problems.ts';
import { asSentence } from './sentence.ts';

export interface Described {
  /** a stable id; generated when left out */
  id?: string;
  label: ReactNode;
  help?: ReactNode;
  /** the form's current error (an ApiError) and this control's field name in it */
  error?: unknown;
  name?: string;
  /** errors found on this side */
  messages?: string[];
}

export interface DescribedControl {
  aria: { id: string; 'aria-invalid': true | undefined; 'aria-describedby': string | undefined };
  messages: string[];
  helpId: string | undefined;
  errorId: string | undefined;
  help: ReactNode;
  /** call on every change: the field's error belongs to the value that was saved, so an edit clears it */
  onEdit(): void;
}

export function useDescribed(props: Described): DescribedControl {
  const generated = useId();
  const id = props.id ?? `f${generated.replace(/:/g, '')}`;
  const form = useFormErrors();
  const key = props.name ?? id;
  const messages = form.isEdited(key)
    ? []
    : [...(props.messages ?? []), ...(props.name ? problemsFor(props.error, props.name) : [])].map((m) =>
        asSentence(m, typeof props.label === 'string' ? props.label : undefined),
      );
  const helpId = props.help ? `${id}-help` : undefined;
  const errorId = messages.length > 0 ? `${id}-error` : undefined;
  const describedBy = [errorId, helpId].filter(Boolean).join(' ') || undefined;
  const aria = { id, 'aria-invalid': messages.length > 0 ? true : undefined, 'aria-describedby': describedBy } as const;
  return { aria, messages, helpId, errorId, help: props.help, onEdit: () => form.markEdited(key) };
}

/** The error and help paragraphs under a control. */
export function FieldNotes({ errorId, messages, helpId, help }: Omit<DescribedControl, 'aria' | 'onEdit'>) {
  return (
    <>
      {errorId && (
        <p className="field-error" id={errorId}>
          {messages.join(' ')}
        </p>
      )}
      {helpId && (
        <p className="field-help" id={helpId}>
          {help}
        </p>
      )}
    </>
  );
}

/** A label, with " *" for a required field (hidden from screen readers, which hear "required" from the control). */
export function FieldLabel({ htmlFor, label, required }: { htmlFor: string; label: ReactNode; required?: boolean }) {
  return (
    <label htmlFor={htmlFor}>
      {label}
      {required && (
        <span className="req" aria-hidden="true">
          {' '}
          *
        </span>
      )}
    </label>
  );
}

/** The field's frame; a checkbox (`check`) comes before its label. */
export function FieldRow({
  described,
  label,
  required,
  check,
  className,
  children,
}: {
  described: DescribedControl;
  label: ReactNode;
  required?: boolean;
  check?: boolean;
  className?: string;
  children: ReactNode;
}) {
  const { aria, onEdit: _onEdit, ...notes } = described;
  const invalid = notes.messages.length > 0;
  const labelNode = <FieldLabel htmlFor={aria.id} label={label} required={required} />;
  return (
    <div className={`field${check ? ' check' : ''}${invalid ? ' invalid' : ''}${className ? ` ${className}` : ''}`}>
      {!check && labelNode}
      {children}
      {check && labelNode}
      <FieldNotes {...notes} />
    </div>
  );
}
