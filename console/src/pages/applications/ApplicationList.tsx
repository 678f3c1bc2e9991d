// Service Providers (applications) › List: search, open one to edit.
import { get, query } from '../../api/client.ts';
import type { Application, Page } from '../../api/types.ts';
import { Link } from '../../router/router.tsx';
import { actionsColumn, type Column, RowLink } from '../../ui/data-table.tsx';
import { Badge, PageHeader } from '../../ui/page.tsx';
import { usePagedList } from '../../ui/paged-list.ts';
import { PagedTable } from '../../ui/paged-table.tsx';
import { SearchBar } from '../../ui/search-bar.tsx';
import { sequenceSummary } from './sequence.ts';

const LIMIT = 50;

const COLUMNS: Column<Application>[] = [
  {
    header: 'Name',
    rowHeader: true,
    cell: (a) => (
      <>
        {a.name}
        {a.description && <span className="sub">{a.description}</span>}
      </>
    ),
  },
  // a SAML-only service provider has no OIDC client: it is known by its Issuer (in the Inbound column)
  { header: 'Client ID', cell: (a) => (a.grantTypes.length > 0 ? <code>{a.clientId}</code> : '—') },
  {
    header: 'Inbound',
    cell: (a) => (
      <>
        {a.grantTypes.length > 0 && <Badge>{`OIDC ${a.clientType}`}</Badge>} {a.saml && <Badge>SAML 2.0</Badge>}
        {a.saml && (
          <span className="sub">
            Issuer <code>{a.saml.issuer}</code>
          </span>
        )}
      </>
    ),
  },
  { header: 'Authentication steps', cell: (a) => sequenceSummary(a.steps) },
  actionsColumn((a) => <RowLink to={`/applications/${encodeURIComponent(a.id)}`} label={`Edit ${a.name}`} />),
];

export function ApplicationList() {
  const apps = usePagedList(
    '',
    (search, offset, limit) => get<Page<Application>>(`/applications${query({ search, offset, limit })}`),
    LIMIT,
  );

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Service Providers' }, { label: 'List' }]}
        title="Service Providers"
        lead="Applications (OIDC relying parties and SAML service providers) that hand their login to Stepgate."
        actions={
          <Link className="button" to="/applications/new">
            Add
          </Link>
        }
      />
      <SearchBar
        id="app-search"
        label="Search applications"
        placeholder="Name, client ID or issuer"
        onSearch={apps.apply}
      />
      <PagedTable
        paged={apps}
        what="applications"
        caption="Service providers"
        hideCaption
        columns={COLUMNS}
        rowKey={(a) => a.id}
        empty={`No applications${apps.filter ? ` match “${apps.filter}”` : ''}.`}
      />
    </>
  );
}
