// Audit log: logins, SMS sends and admin changes, filtered by user, event and time.
import { get, query } from '../../api/client.ts';
import type { AuditEvent, Page } from '../../api/types.ts';
import { type Column, NONE } from '../../ui/data-table.tsx';
import { FilterField, FilterForm, localToIso, useFilterDraft } from '../../ui/filter-form.tsx';
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

export function AuditLog() {
  const filter = useFilterDraft(EMPTY);
  const { draft, set } = filter;
  const events = usePagedList(
    draft,
    (f, offset, limit) =>
      get<Page<AuditEvent>>(
        `/audit-events${query({ username: f.username, event: f.event, from: localToIso(f.from), to: localToIso(f.to), offset, limit })}`,
      ),
    LIMIT,
  );

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Security' }, { label: 'Audit log' }]}
        title="Audit log"
        lead="Logins, SMS sends and configuration changes, newest first."
      />
      <FilterForm label="Filter the audit log" filter={filter} onApply={events.apply}>
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
      </FilterForm>
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
