// Users and Roles › Users › List: search, page through, open a user's profile.
import { get, query } from '../../api/client.ts';
import type { Page, User } from '../../api/types.ts';
import { Link } from '../../router/router.tsx';
import { actionsColumn, type Column, NONE, RowLink } from '../../ui/data-table.tsx';
import { Badge, PageHeader } from '../../ui/page.tsx';
import { usePagedList } from '../../ui/paged-list.ts';
import { PagedTable } from '../../ui/paged-table.tsx';
import { SearchBar } from '../../ui/search-bar.tsx';

const MOBILE = 'http://wso2.org/claims/mobile';
const LIMIT = 25;

const COLUMNS: Column<User>[] = [
  { header: 'Username', rowHeader: true, cell: (u) => u.username },
  { header: 'Mobile', cell: (u) => u.claims?.[MOBILE] ?? NONE },
  { header: 'Roles', cell: (u) => (u.roles.length > 0 ? u.roles.join(', ') : NONE) },
  {
    header: 'Status',
    cell: (u) => (
      <span className="badges">
        {u.locked ? <Badge tone="bad">Locked</Badge> : null}
        {!u.enabled ? <Badge tone="warn">Disabled</Badge> : null}
        {u.enabled && !u.locked ? <Badge tone="good">Active</Badge> : null}
      </span>
    ),
  },
  actionsColumn((u) => (
    <RowLink to={`/users/${encodeURIComponent(u.id)}`} label={`User Profile of ${u.username}`} text="User Profile" />
  )),
];

export function UserList() {
  const users = usePagedList(
    '',
    (search, offset, limit) => get<Page<User>>(`/users${query({ search, offset, limit })}`),
    LIMIT,
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
      <SearchBar id="user-search" label="Search users" placeholder="Username" onSearch={users.apply} />
      <PagedTable
        paged={users}
        what="users"
        caption="Users"
        hideCaption
        columns={COLUMNS}
        rowKey={(u) => u.id}
        empty={`No users${users.filter ? ` match “${users.filter}”` : ''}.`}
      />
    </>
  );
}
