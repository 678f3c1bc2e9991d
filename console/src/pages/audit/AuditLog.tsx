// Audit log: logins, SMS sends and admin changes, filtered by user, event and time.
import { useState } from 'react';
import { get, query } from '../../api/client.ts';
import type { AuditEvent, Page } from '../../api/types.ts';
import { formatTime, useLoad } from '../../ui/hooks.ts';
import { Badge, LoadError, Loading, PageHeader, Pager } from '../../ui/page.tsx';

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

export function AuditLog() {
  const [draft, setDraft] = useState<Filter>({ username: '', event: '', from: '', to: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const [offset, setOffset] = useState(0);
  const events = useLoad(
    () =>
      get<Page<AuditEvent>>(
        `/audit-events${query({ username: filter.username, event: filter.event, from: iso(filter.from), to: iso(filter.to), offset, limit: LIMIT })}`,
      ),
    [filter, offset],
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
          setOffset(0);
          setFilter({ ...draft, username: draft.username.trim(), event: draft.event.trim() });
        }}
      >
        <div className="field">
          <label htmlFor="audit-user">User</label>
          <input
            id="audit-user"
            type="search"
            value={draft.username}
            onChange={set('username')}
            placeholder="Username"
          />
        </div>
        <div className="field">
          <label htmlFor="audit-event">Event</label>
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
            {[...new Set([...KNOWN_EVENTS, ...(events.data?.items ?? []).map((e) => e.event)])].sort().map((e) => (
              <option key={e} value={e} />
            ))}
          </datalist>
          <span className="visually-hidden" id="audit-event-help">
            The exact event name; suggestions are offered.
          </span>
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" type="datetime-local" value={draft.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input id="audit-to" type="datetime-local" value={draft.to} onChange={set('to')} />
        </div>
        <div className="filter-actions">
          <button type="submit">Filter</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              const empty = { username: '', event: '', from: '', to: '' };
              setDraft(empty);
              setFilter(empty);
              setOffset(0);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {events.error ? (
        <LoadError error={events.error} retry={events.reload} />
      ) : !events.data ? (
        <Loading what="events" />
      ) : (
        <>
          <div className="table-wrap">
            <table className="audit">
              <caption className="visually-hidden">Audit events</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">User</th>
                  <th scope="col">Application</th>
                  <th scope="col">IP</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {events.data.items.map((e) => (
                  <tr key={String(e.id)}>
                    <td className="nowrap">{formatTime(e.at)}</td>
                    <td>
                      <code>{e.event}</code>
                    </td>
                    <td>{e.username ?? <span className="muted">—</span>}</td>
                    <td>{e.clientId ?? <span className="muted">—</span>}</td>
                    <td className="nowrap">{e.ip ?? ''}</td>
                    <td className="details">
                      {e.reason && <Badge tone="bad">{e.reason}</Badge>}
                      {details(e).map(([k, v]) => (
                        <div key={k}>
                          <span className="muted">{k}:</span> <code>{v}</code>
                        </div>
                      ))}
                    </td>
                  </tr>
                ))}
                {events.data.items.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
                      No events match.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Pager
            total={events.data.total}
            offset={events.data.offset ?? offset}
            limit={events.data.limit ?? LIMIT}
            onPage={setOffset}
          />
        </>
      )}
    </>
  );
}
