// A paged list's filter form: a draft the fields edit, applied (trimmed) on Filter, emptied and applied on Clear.
// The list only reloads on Filter or Clear, so typing does not fetch a page per keystroke.
import { type ChangeEvent, type ReactNode, useState } from 'react';

/** Every field of a filter is the text of one input (an interface satisfies this, unlike Record<string, string>). */
type Fields<F> = { [K in keyof F]: string };

/** datetime-local (local time) → ISO 8601, as the admin API reads times; an unreadable value is no bound. */
export function localToIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The fields' draft and a change handler per field. */
export function useFilterDraft<F extends Fields<F>>(empty: F) {
  const [draft, setDraft] = useState<F>(empty);
  const set = (k: keyof F) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  return { empty, draft, setDraft, set };
}

export type FilterDraft<F extends Fields<F>> = ReturnType<typeof useFilterDraft<F>>;

export function FilterField({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

export function FilterForm<F extends Fields<F>>({
  label,
  filter,
  onApply,
  children,
}: {
  /** the form's accessible name */
  label: string;
  filter: FilterDraft<F>;
  onApply(next: F): void;
  children: ReactNode;
}) {
  const { empty, draft, setDraft } = filter;
  return (
    <form
      className="filters"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        // selects and datetime-local values carry no spaces, so trimming every field only changes typed text
        onApply(Object.fromEntries((Object.entries(draft) as [string, string][]).map(([k, v]) => [k, v.trim()])) as F);
      }}
    >
      {children}
      <div className="filter-actions">
        <button type="submit">Filter</button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft(empty);
            onApply({ ...empty });
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
