// Identity Providers › List: the registry of IdPs and the federated authenticators each one configures.
import { get, itemsOf } from '../../api/client.ts';
import type { AuthenticatorInfo, IdentityProvider } from '../../api/types.ts';
import { Link } from '../../router/router.tsx';
import { actionsColumn, type Column, DataTable, NONE, RowLink } from '../../ui/data-table.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { LoadGate } from '../../ui/load-gate.tsx';
import { Badge, PageHeader } from '../../ui/page.tsx';

export function IdentityProviderList() {
  const idps = useLoad(
    async () => itemsOf(await get<{ items: IdentityProvider[] }>('/identity-providers?limit=200')),
    [],
  );
  const authenticators = useLoad(
    async () => itemsOf(await get<{ items: AuthenticatorInfo[] }>('/authenticators?limit=200')),
    [],
  );
  const nameOf = (type: string) => authenticators.data?.find((a) => a.id === type)?.displayName ?? type;
  const columns: Column<IdentityProvider>[] = [
    {
      header: 'Name',
      rowHeader: true,
      cell: (i) => (
        <>
          {i.name}
          {i.displayName && i.displayName !== i.name && <span className="sub">{i.displayName}</span>}
        </>
      ),
    },
    { header: 'Description', cell: (i) => i.description || NONE },
    {
      header: 'Status',
      cell: (i) => (i.enabled ? <Badge tone="good">Enabled</Badge> : <Badge tone="warn">Disabled</Badge>),
    },
    {
      header: 'Federated authenticators',
      cell: (i) => (
        <span className="badges">
          {i.authenticators.length === 0 && <span className="muted">none</span>}
          {i.authenticators.map((a) => (
            <Badge key={a.type} tone={a.enabled ? 'good' : 'neutral'}>
              {nameOf(a.type)}
              {a.enabled ? '' : ' (off)'}
            </Badge>
          ))}
        </span>
      ),
    },
    actionsColumn((i) => <RowLink to={`/identity-providers/${encodeURIComponent(i.id)}`} label={`Edit ${i.name}`} />),
  ];

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Identity Providers' }, { label: 'List' }]}
        title="Identity Providers"
        lead="Named entries that carry federated authenticator configurations, such as SMS OTP in smsOTP."
        actions={
          <Link className="button" to="/identity-providers/new">
            Add
          </Link>
        }
      />
      <LoadGate loaded={idps} what="identity providers">
        {(list) =>
          list.length === 0 ? (
            <div className="empty">
              <p>
                No identity providers yet. The guide registers one named <code>smsOTP</code>.
              </p>
              <Link className="button" to="/identity-providers/new?name=smsOTP">
                Add the smsOTP identity provider
              </Link>
            </div>
          ) : (
            <DataTable caption="Identity providers" hideCaption rows={list} rowKey={(i) => i.id} columns={columns} />
          )
        }
      </LoadGate>
    </>
  );
}
