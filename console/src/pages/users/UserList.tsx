// Users and Roles › Users › List: search, page through, open a user's profile.
import { useState } from 'react';
import { get, query } from '../../api/client.ts';
import type { Page, User } from '../../api/types.ts';
import { Link } from '../../router/router.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, LoadError, Loading, PageHeader, Pager } from '../../ui/page.tsx';

const MOBILE = 'http://wso2.org/claims/mobile';
const LIMIT = 25;

export function UserList() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [offset, setOffset] = useState(0);
  const users = useLoad(
    () => get<Page<User>>(`/users${query({ search: applied, offset, limit: LIMIT })}`),
    [applied, offset],
  );

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Users and Roles' }, { label: 'Users' }, { label: 'List' }]}
        title="Users"
        actions={
          <Link className="button" to="/users/new">
            Add User
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
          <label htmlFor="user-search">Search users</label>
          <input
            id="user-search"
            type="search"
            value={search}
            placeholder="Username"
            onChange={(e) => setSearch(e.target.value)}
          />
          <button type="submit" className="secondary">
            Search
          </button>
        </form>
      </search>
      {users.error ? (
        <LoadError error={users.error} retry={users.reload} />
      ) : !users.data ? (
        <Loading what="users" />
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Users</caption>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Mobile</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((u) => (
                  <tr key={u.id}>
                    <th scope="row">{u.username}</th>
                    <td>{u.claims?.[MOBILE] ?? <span className="muted">—</span>}</td>
                    <td>{u.roles.length > 0 ? u.roles.join(', ') : <span className="muted">—</span>}</td>
                    <td className="badges">
                      {u.locked ? <Badge tone="bad">Locked</Badge> : null}
                      {!u.enabled ? <Badge tone="warn">Disabled</Badge> : null}
                      {u.enabled && !u.locked ? <Badge tone="good">Active</Badge> : null}
                    </td>
                    <td>
                      <Link to={`/users/${encodeURIComponent(u.id)}`} aria-label={`User Profile of ${u.username}`}>
                        User Profile
                      </Link>
                    </td>
                  </tr>
                ))}
                {users.data.items.length === 0 && (
                  <tr>
                    <td colSpan={5} className="muted">
                      No users{applied ? ` match “${applied}”` : ''}.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Pager
            total={users.data.total}
            offset={users.data.offset ?? offset}
            limit={users.data.limit ?? LIMIT}
            onPage={setOffset}
          />
        </>
      )}
    </>
  );
}
