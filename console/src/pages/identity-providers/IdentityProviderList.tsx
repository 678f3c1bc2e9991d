// Identity Providers › List: the registry of IdPs and the federated authenticators each one configures.
import { get, itemsOf } from '../../api/client.ts';
import type { AuthenticatorInfo, IdentityProvider } from '../../api/types.ts';
import { Link } from '../../router/router.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, LoadError, Loading, PageHeader } from '../../ui/page.tsx';

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
      {idps.error ? (
        <LoadError error={idps.error} retry={idps.reload} />
      ) : !idps.data ? (
        <Loading what="identity providers" />
      ) : idps.data.length === 0 ? (
        <div className="empty">
          <p>
            No identity providers yet. The guide registers one named <code>smsOTP</code>.
          </p>
          <Link className="button" to="/identity-providers/new?name=smsOTP">
            Add the smsOTP identity provider
          </Link>
        </div>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Identity providers</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Status</th>
                <th scope="col">Federated authenticators</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {idps.data.map((i) => (
                <tr key={i.id}>
                  <th scope="row">
                    {i.name}
                    {i.displayName && i.displayName !== i.name && <span className="sub">{i.displayName}</span>}
                  </th>
                  <td>{i.description || <span className="muted">—</span>}</td>
                  <td>{i.enabled ? <Badge tone="good">Enabled</Badge> : <Badge tone="warn">Disabled</Badge>}</td>
                  <td className="badges">
                    {i.authenticators.length === 0 && <span className="muted">none</span>}
                    {i.authenticators.map((a) => (
                      <Badge key={a.type} tone={a.enabled ? 'good' : 'neutral'}>
                        {nameOf(a.type)}
                        {a.enabled ? '' : ' (off)'}
                      </Badge>
                    ))}
                  </td>
                  <td>
                    <Link to={`/identity-providers/${encodeURIComponent(i.id)}`} aria-label={`Edit ${i.name}`}>
                      Edit
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
