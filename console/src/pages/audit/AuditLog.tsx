// Audit log: logins, SMS sends and admin changes, filtered by user, event and time.
import { type ReactNode, useState } from 'react';
import { get, query } from '../../api/client.ts';
import type { AuditEvent, Page } from '../../api/types.ts';
import { type Column, NONE } from '../../ui/data-table.tsx';
import { formatTime } from '../../ui/hooks.ts';
import { Badge, PageHeader } from '../../ui/page.tsx';
import { usePagedList } from '../../ui/paged-list.ts';
import { PagedTable } from '../../ui/paged-table.tsx';

const LIMIT = 50;

/** Event names to suggest in the filter (it matches exactly); events seen on the page are added. */
const KNOWN_EVENTS = [
  'login.succeeded',
  'login.password.verified',
  'login.password.failed',
  'account.locked',
  'account.unlocked',
  'admin.identity-provider.update',
  'admin.identity-provider.test-sms',
  'admin.application.update',
  'admin.claim.create',
  'admin.claim.update',
  'admin.user.create',
  'admin.user.update',
  'admin.user.generate-backup-codes',
  'admin.truststore.import',
];

interface Filter {
  username: string;
  event: string;
  from: string;
  to: string;
}

/** datetime-local (local time) → ISO 8601 with offset, as the API reads times. */
function iso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The event's data as `key: value` lines; the actor is already in the User column. */
function details(e: AuditEvent): [string, string][] {
  const known = new Set(['id', 'at', 'event', 'outcome', 'username', 'userId', 'clientId', 'ip', 'reason', 'data']);
  const extra = Object.fromEntries(
    Object.entries(e).filter(([k, v]) => !known.has(k) && v !== null && v !== undefined),
  );
  return Object.entries({ ...(e.data ?? {}), ...extra })
    .filter(([k]) => k !== 'actor')
    .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
}

const EMPTY: Filter = { username: '', event: '', from: '', to: '' };

const COLUMNS: Column<AuditEvent>[] = [
  { header: 'Time', className: 'nowrap', cell: (e) => formatTime(e.at) },
  { header: 'Event', cell: (e) => <code>{e.event}</code> },
  { header: 'User', cell: (e) => e.username ?? NONE },
  { header: 'Application', cell: (e) => e.clientId ?? NONE },
  { header: 'IP', className: 'nowrap', cell: (e) => e.ip ?? '' },
  {
    header: 'Details',
    className: 'details',
    cell: (e) => (
      <>
        {e.reason && <Badge tone="bad">{e.reason}</Badge>}
        {details(e).map(([k, v]) => (
          <div key={k}>
            <span className="muted">{k}:</span> <code>{v}</code>
          </div>
        ))}
      </>
    ),
  },
];

function FilterField({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

export function AuditLog() {
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const events = usePagedList(
    draft,
    (filter, offset, limit) =>
      get<Page<AuditEvent>>(
        `/audit-events${query({ username: filter.username, event: filter.event, from: iso(filter.from), to: iso(filter.to), offset, limit })}`,
      ),
    LIMIT,
  );
  const set = (k: keyof Filter) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Security' }, { label: 'Audit log' }]}
        title="Audit log"
        lead="Logins, SMS sends and configuration changes, newest first."
      />
      <form
        className="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          events.apply({ ...draft, username: draft.username.trim(), event: draft.event.trim() });
        }}
      >
        <FilterField id="audit-user" label="User">
          <input
            id="audit-user"
            type="search"
            value={draft.username}
            onChange={set('username')}
            placeholder="Username"
          />
        </FilterField>
        <FilterField id="audit-event" label="Event">
          <input
            id="audit-event"
            type="search"
            list="audit-event-names"
            value={draft.event}
            onChange={set('event')}
            placeholder="login.succeeded"
            aria-describedby="audit-event-help"
          />
          <datalist id="audit-event-names">
            {[...new Set([...KNOWN_EVENTS, ...(events.list.data?.items ?? []).map((e) => e.event)])].sort().map((e) => (
              <option key={e} value={e} />
            ))}
          </datalist>
          <span className="visually-hidden" id="audit-event-help">
            The exact event name; suggestions are offered.
          </span>
        </FilterField>
        <FilterField id="audit-from" label="From">
          <input id="audit-from" type="datetime-local" value={draft.from} onChange={set('from')} />
        </FilterField>
        <FilterField id="audit-to" label="To">
          <input id="audit-to" type="datetime-local" value={draft.to} onChange={set('to')} />
        </FilterField>
        <div className="filter-actions">
          <button type="submit">Filter</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft(EMPTY);
              events.apply({ ...EMPTY });
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <PagedTable
        paged={events}
        what="events"
        className="audit"
        caption="Audit events"
        hideCaption
        columns={COLUMNS}
        rowKey={(e) => String(e.id)}
        empty="No events match."
      />
    </>
  );
}
