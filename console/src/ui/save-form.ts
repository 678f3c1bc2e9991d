// An edit page's form: its values, bindings for its fields, and saving with the checks done on this side first.
import { useState } from 'react';
import { clientProblem, del } from '../api/client.ts';
import type { FieldProblem } from '../api/types.ts';
import { useSubmit } from './hooks.ts';

/** Throws the problems found on this side as the API would (a problem document with field errors). */
export function throwIfProblems(problems: FieldProblem[]): void {
  if (problems.length > 0) throw clientProblem(problems);
}

/** A delete action: asks first, deletes, then does `after` (its result is the status message). */
export function deleteThen(path: string | undefined, question: string, after: () => unknown) {
  return async () => {
    if (!path || !confirm(question)) return;
    await del(path);
    return after();
  };
}

export function useSaveForm<F extends object>(initial: F, check: (form: F) => FieldProblem[] = () => []) {
  const [form, setForm] = useState<F>(initial);
  const submit = useSubmit();
  const set =
    <K extends keyof F>(k: K) =>
    (v: F[K]) =>
      setForm((f) => ({ ...f, [k]: v }));
  /** name, value, onChange and error of a text, number or select field */
  const field = <K extends keyof F & string>(k: K) => ({
    name: k,
    value: form[k],
    onChange: set(k),
    error: submit.error,
  });
  /** name, checked, onChange and error of a checkbox */
  const checkbox = <K extends keyof F & string>(k: K) => ({
    name: k,
    checked: form[k],
    onChange: set(k),
    error: submit.error,
  });
  /** Checks the form (problems go to onProblems, then to the form), then runs the save. */
  const save = (action: (form: F) => Promise<unknown>, onProblems?: (problems: FieldProblem[]) => void) =>
    submit.run(async () => {
      const problems = check(form);
      if (problems.length > 0) onProblems?.(problems);
      throwIfProblems(problems);
      return action(form);
    });
  return { form, setForm, set, field, checkbox, save, submit };
}
