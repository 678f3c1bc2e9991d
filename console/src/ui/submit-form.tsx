// A form that saves on submit: no browser validation (the API's problems are shown instead), the error summary on
// top (each problem a link to its field; the first invalid field gets the focus), and the row of actions at the bottom.
import type { ReactNode } from 'react';
import { ErrorSummary, FormErrorsProvider } from './form-errors.tsx';
import { Saved } from './forms.tsx';

export function SubmitForm({
  className = 'form',
  label,
  error,
  fields,
  onSubmit,
  children,
}: {
  className?: string;
  /** the form's accessible name */
  label?: string;
  error: unknown;
  /** the field names the form shows errors for; other problems are listed on top */
  fields?: string[];
  onSubmit(): Promise<unknown>;
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      aria-label={label}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      <FormErrorsProvider error={error}>
        <ErrorSummary error={error} fields={fields} />
        {children}
      </FormErrorsProvider>
    </form>
  );
}

/** Submit, then Delete (when there is something to delete), anything else, and the saved note. */
export function FormActions({
  submit,
  busy,
  status,
  noStatus,
  sticky,
  onDelete,
  children,
}: {
  submit: ReactNode;
  busy: boolean;
  status?: string;
  /** leave out the saved note */
  noStatus?: boolean;
  sticky?: boolean;
  onDelete?: () => Promise<unknown>;
  children?: ReactNode;
}) {
  return (
    <div className={sticky ? 'form-actions sticky' : 'form-actions'}>
      <button type="submit" disabled={busy}>
        {submit}
      </button>
      {onDelete && (
        <button type="button" className="danger" disabled={busy} onClick={() => void onDelete()}>
          Delete
        </button>
      )}
      {children}
      {!noStatus && <Saved message={status} />}
    </div>
  );
}
