// Claims › List: the dialects, the local claims of http://wso2.org/claims, and other dialects' mappings.
import { useState } from 'react';
import { get, itemsOf } from '../../api/client.ts';
import type { ClaimDialect, ClaimMapping, LocalClaim } from '../../api/types.ts';
import { Link } from '../../router/router.tsx';
import { actionsColumn, type Column, DataTable, RowLink } from '../../ui/data-table.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { LoadGate } from '../../ui/load-gate.tsx';
import { Badge, LoadError, PageHeader } from '../../ui/page.tsx';

export const LOCAL_DIALECT = 'http://wso2.org/claims';

export function claimPath(uri: string): string {
  return `/claims/${encodeURIComponent(uri)}`;
}

const CLAIM_COLUMNS: Column<LocalClaim>[] = [
  { header: 'Display Name', rowHeader: true, cell: (c) => c.displayName },
  { header: 'Claim URI', cell: (c) => <code>{c.uri}</code> },
  { header: 'Mapped Attribute', cell: (c) => <code>{c.mappedAttribute}</code> },
  {
    header: 'Properties',
    // the badges line up inside a span: a flex table cell would leave its row (the cells misalign)
    cell: (c) => (
      <span className="badges">
        {c.supportedByDefault && <Badge tone="good">Supported by default</Badge>}
        {c.required && <Badge>Required</Badge>}
        {c.readOnly && <Badge>Read-only</Badge>}
        {c.system && <Badge>Built in</Badge>}
      </span>
    ),
  },
  actionsColumn((c) => <RowLink to={claimPath(c.uri)} label={`Edit ${c.displayName}`} />),
];

const MAPPING_COLUMNS: Column<ClaimMapping>[] = [
  { header: 'Claim', rowHeader: true, cell: (m) => <code>{m.externalClaim}</code> },
  { header: 'Mapped local claim', cell: (m) => <Link to={claimPath(m.localClaimUri)}>{m.localClaimUri}</Link> },
];

export function ClaimList() {
  const dialects = useLoad(
    async () => itemsOf(await get<ClaimDialect[] | { items: ClaimDialect[] }>('/claim-dialects')),
    [],
  );
  const [dialect, setDialect] = useState(LOCAL_DIALECT);
  const claims = useLoad(
    async () => itemsOf(await get<LocalClaim[] | { items: LocalClaim[] }>('/claims?limit=200')),
    [],
  );
  const mappings = useLoad(
    async () =>
      dialect === LOCAL_DIALECT
        ? []
        : itemsOf(
            await get<ClaimMapping[] | { items: ClaimMapping[] }>(
              `/claim-dialects/${encodeURIComponent(dialect)}/mappings`,
            ),
          ),
    [dialect],
  );
  const dialectUris = [LOCAL_DIALECT, ...(dialects.data ?? []).map((d) => d.uri).filter((u) => u !== LOCAL_DIALECT)];

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Claims' }, { label: 'List' }]}
        title="Claims"
        actions={
          <Link className="button" to="/claims/new">
            Add Local Claim
          </Link>
        }
      />
      <fieldset className="tabs">
        <legend className="visually-hidden">Claim dialect</legend>
        {dialectUris.map((d) => (
          <button
            key={d}
            type="button"
            className={d === dialect ? 'tab selected' : 'tab'}
            aria-pressed={d === dialect}
            onClick={() => setDialect(d)}
          >
            {d}
          </button>
        ))}
      </fieldset>
      {dialects.error ? <LoadError error={dialects.error} retry={dialects.reload} /> : null}
      {dialect === LOCAL_DIALECT ? (
        <LoadGate loaded={claims} what="claims">
          {(list) => (
            <DataTable
              caption={<>Local claims of {LOCAL_DIALECT}</>}
              columns={CLAIM_COLUMNS}
              rows={list}
              rowKey={(c) => c.uri}
            />
          )}
        </LoadGate>
      ) : (
        <LoadGate loaded={mappings} what="mappings">
          {(list) => (
            <DataTable
              caption={<>Claims of {dialect}, mapped to local claims</>}
              columns={MAPPING_COLUMNS}
              rows={list}
              rowKey={(m) => m.externalClaim}
              empty="No mappings in this dialect."
            />
          )}
        </LoadGate>
      )}
    </>
  );
}
