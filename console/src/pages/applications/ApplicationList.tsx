// Service Providers (applications) › List: search, open one to edit.
import { useState } from 'react';
import { get, query } from '../../api/client.ts';
import type { Application, Page } from '../../api/types.ts';
import { Link } from '../../router/router.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, LoadError, Loading, PageHeader, Pager } from '../../ui/page.tsx';
import { sequenceSummary } from './sequence.ts';

const LIMIT = 50;

export function ApplicationList() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [offset, setOffset] = useState(0);
  const apps = useLoad(
    () => get<Page<Application>>(`/applications${query({ search: applied, offset, limit: LIMIT })}`),
    [applied, offset],
  );

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Service Providers' }, { label: 'List' }]}
        title="Service Providers"
        lead="Applications (OIDC relying parties) that hand their login to Stepgate."
        actions={
          <Link className="button" to="/applications/new">
            Add
          </Link>
        }
      />
      <search>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            setOffset(0);
            setApplied(search.trim());
          }}
        >
          <label htmlFor="app-search">Search applications</label>
          <input
            id="app-search"
            type="search"
            value={search}
            placeholder="Name or client ID"
            onChange={(e) => setSearch(e.target.value)}
          />
          <button type="submit" className="secondary">
            Search
          </button>
        </form>
      </search>
      {apps.error ? (
        <LoadError error={apps.error} retry={apps.reload} />
      ) : !apps.data ? (
        <Loading what="applications" />
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Service providers</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Client ID</th>
                  <th scope="col">Type</th>
                  <th scope="col">Authentication steps</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {apps.data.items.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">
                      {a.name}
                      {a.description && <span className="sub">{a.description}</span>}
                    </th>
                    <td>
                      <code>{a.clientId}</code>
                    </td>
                    <td>
                      <Badge>{a.clientType}</Badge>
                    </td>
                    <td>{sequenceSummary(a.steps)}</td>
                    <td>
                      <Link to={`/applications/${encodeURIComponent(a.id)}`} aria-label={`Edit ${a.name}`}>
                        Edit
                      </Link>
                    </td>
                  </tr>
                ))}
                {apps.data.items.length === 0 && (
                  <tr>
                    <td colSpan={5} className="muted">
                      No applications{applied ? ` match “${applied}”` : ''}.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Pager
            total={apps.data.total}
            offset={apps.data.offset ?? offset}
            limit={apps.data.limit ?? LIMIT}
            onPage={setOffset}
          />
        </>
      )}
    </>
  );
}
