// A form's errors after a save: which fields were edited since (their errors are cleared), and the summary at the
// top that lists every problem the form shows as a link to its field, so a long form's error is never below the fold.
import { createContext, type ReactNode, useContext, useLayoutEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { unclaimed } from './problems.ts';
import { afterName, asSentence } from './sentence.ts';

interface FormErrorState {
  /** true when the field (its name, or its control's id) was edited since the last save attempt */
  isEdited(key: string): boolean;
  markEdited(key: string): void;
}

const FormErrors = createContext<FormErrorState>({ isEdited: () => false, markEdited: () => undefined });

export function useFormErrors(): FormErrorState {
  return useContext(FormErrors);
}

/** Keeps the edited fields of one error: a new error (another save) starts with none edited. */
export function FormErrorsProvider({ error, children }: { error: unknown; children: ReactNode }) {
  const [state, setState] = useState<{ error: unknown; edited: ReadonlySet<string> }>({ error, edited: new Set() });
  const current = state.error === error ? state : { error, edited: new Set<string>() };
  if (current !== state) setState(current);
  const value: FormErrorState = {
    isEdited: (key) => current.edited.has(key),
    markEdited: (key) =>
      setState((s) => (s.edited.has(key) ? s : { error: s.error, edited: new Set([...s.edited, key]) })),
  };
  return <FormErrors.Provider value={value}>{children}</FormErrors.Provider>;
}

interface Entry {
  key: string;
  /** the control to focus, when there is one */
  targetId?: string;
  label?: string;
  message: string;
}

/** What the form shows as errors, in page order: each error paragraph with the control to go to and its label. */
function shownErrors(form: HTMLElement): Entry[] {
  const entries: Entry[] = [];
  const controls = 'input:not([type="hidden"]), select, textarea, button';
  for (const [i, p] of [...form.querySelectorAll<HTMLElement>('.field-error')].entries()) {
    if (p.closest('.error-summary')) continue;
    // the control (or fieldset) that names this paragraph in aria-describedby, else the frame the paragraph is in
    const box =
      (p.id ? form.querySelector<HTMLElement>(`[aria-describedby~="${CSS.escape(p.id)}"]`) : null) ??
      p.closest<HTMLElement>('.field, fieldset');
    const target = box?.matches(controls) ? box : box?.querySelector<HTMLElement>(controls);
    const label = box?.matches('fieldset')
      ? box.querySelector('legend')?.textContent
      : target?.id
        ? form.querySelector(`label[for="${CSS.escape(target.id)}"]`)?.textContent
        : undefined;
    entries.push({
      key: `${i}:${target?.id ?? ''}`,
      targetId: target?.id || undefined,
      label: label?.replace(/\s*\*$/, '').trim() || undefined,
      message: p.textContent?.trim() ?? '',
    });
  }
  return entries;
}

/** "Label: message", unless the message names its field already ("Client ID must be …"). */
function withLabel(e: Entry): string {
  return e.label && !e.message.startsWith(e.label) ? `${e.label}: ${e.message}` : e.message;
}

/** Opens the closed parts around an element (a <details>, a hidden panel) and focuses it. */
export function reveal(el: HTMLElement): void {
  for (let d = el.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true;
  el.scrollIntoView({ block: 'center' });
  el.focus({ preventScroll: true });
}

/**
 * The error at the top of a form: the problem's own sentence when it says more than "fields need attention", then
 * one link per field error shown below (to its field), then the problems no field shows. Focuses the first invalid
 * field when a new error arrives.
 */
export function ErrorSummary({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const [entries, setEntries] = useState<Entry[]>([]);
  const focused = useRef<unknown>(undefined);
  // the field errors are rendered by the fields themselves: read them from the form after each render
  useLayoutEffect(() => {
    const form = ref.current?.closest('form');
    if (!form) return;
    const next = shownErrors(form);
    if (JSON.stringify(next) !== JSON.stringify(entries)) setEntries(next);
    if (error && focused.current !== error) {
      focused.current = error;
      const first = form.querySelector<HTMLElement>('[aria-invalid="true"]');
      if (first) reveal(first);
      else ref.current?.focus();
    }
  });
  if (!error) return <div ref={ref} hidden />;
  const problem = error instanceof ApiError ? error.problem : undefined;
  const rest = unclaimed(error, fields);
  const count = entries.length + rest.length;
  // "some fields are not valid" says nothing the list does not: it is left out, and once every field is edited the
  // summary goes too
  const generic = problem?.code === 'validation-failed';
  const detail = problem ? problem.detail || problem.title : error instanceof Error ? error.message : String(error);
  if (generic && count === 0) return <div ref={ref} hidden />;
  return (
    <div className="alert error error-summary" role="alert" tabIndex={-1} ref={ref}>
      {count > 0 && (
        <p>
          <strong>{count === 1 ? 'One field needs attention:' : `${count} fields need attention:`}</strong>
        </p>
      )}
      {!generic && <p>{asSentence(detail)}</p>}
      {count > 0 && (
        <ul>
          {entries.map((e) => (
            <li key={e.key}>
              {e.targetId ? (
                <a
                  href={`#${e.targetId}`}
                  onClick={(ev) => {
                    ev.preventDefault();
                    const el = document.getElementById(e.targetId!);
                    if (el) reveal(el);
                  }}
                >
                  {withLabel(e)}
                </a>
              ) : (
                withLabel(e)
              )}
            </li>
          ))}
          {rest.map((e) => (
            <li key={`rest:${e.field}:${e.message}`}>
              <code>{e.field}</code> {afterName(e.message)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
