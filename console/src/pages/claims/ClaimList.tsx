// Claims › List: the dialects, the local claims of http://wso2.org/claims, and other dialects' mappings.
import { useState } from 'react';
import { get, itemsOf } from '../../api/client.ts';
import type { ClaimDialect, ClaimMapping, LocalClaim } from '../../api/types.ts';
import { Link } from '../../router/router.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, LoadError, Loading, PageHeader } from '../../ui/page.tsx';

export const LOCAL_DIALECT = 'http://wso2.org/claims';

export function claimPath(uri: string): string {
  return `/claims/${encodeURIComponent(uri)}`;
}

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
        claims.error ? (
          <LoadError error={claims.error} retry={claims.reload} />
        ) : !claims.data ? (
          <Loading what="claims" />
        ) : (
          <div className="table-wrap">
            <table>
              <caption>Local claims of {LOCAL_DIALECT}</caption>
              <thead>
                <tr>
                  <th scope="col">Display Name</th>
                  <th scope="col">Claim URI</th>
                  <th scope="col">Mapped Attribute</th>
                  <th scope="col">Properties</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {claims.data.map((c) => (
                  <tr key={c.uri}>
                    <th scope="row">{c.displayName}</th>
                    <td>
                      <code>{c.uri}</code>
                    </td>
                    <td>
                      <code>{c.mappedAttribute}</code>
                    </td>
                    <td className="badges">
                      {c.supportedByDefault && <Badge tone="good">Supported by default</Badge>}
                      {c.required && <Badge>Required</Badge>}
                      {c.readOnly && <Badge>Read-only</Badge>}
                      {c.system && <Badge>Built in</Badge>}
                    </td>
                    <td>
                      <Link to={claimPath(c.uri)} aria-label={`Edit ${c.displayName}`}>
                        Edit
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : mappings.error ? (
        <LoadError error={mappings.error} retry={mappings.reload} />
      ) : !mappings.data ? (
        <Loading what="mappings" />
      ) : (
        <div className="table-wrap">
          <table>
            <caption>Claims of {dialect}, mapped to local claims</caption>
            <thead>
              <tr>
                <th scope="col">Claim</th>
                <th scope="col">Mapped local claim</th>
              </tr>
            </thead>
            <tbody>
              {mappings.data.map((m) => (
                <tr key={m.externalClaim}>
                  <th scope="row">
                    <code>{m.externalClaim}</code>
                  </th>
                  <td>
                    <Link to={claimPath(m.localClaimUri)}>{m.localClaimUri}</Link>
                  </td>
                </tr>
              ))}
              {mappings.data.length === 0 && (
                <tr>
                  <td colSpan={2} className="muted">
                    No mappings in this dialect.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
