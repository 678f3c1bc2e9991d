// The console shell: header, the navigation in the guide's words, and the page for the current route.
import { type ReactNode, useEffect, useState } from 'react';
import { ForbiddenError, get, onForbidden } from './api/client.ts';
import type { Me } from './api/types.ts';
import { logout, signedInAs } from './auth/session.ts';
import { ApplicationEdit } from './pages/applications/ApplicationEdit.tsx';
import { ApplicationList } from './pages/applications/ApplicationList.tsx';
import { AuditLog } from './pages/audit/AuditLog.tsx';
import { Authenticators } from './pages/authenticators/Authenticators.tsx';
import { ClaimEdit } from './pages/claims/ClaimEdit.tsx';
import { ClaimList } from './pages/claims/ClaimList.tsx';
import { Home } from './pages/Home.tsx';
import { IdentityProviderEdit } from './pages/identity-providers/IdentityProviderEdit.tsx';
import { IdentityProviderList } from './pages/identity-providers/IdentityProviderList.tsx';
import { Messages } from './pages/messages/Messages.tsx';
import { Truststore } from './pages/truststore/Truststore.tsx';
import { UserAdd } from './pages/users/UserAdd.tsx';
import { UserList } from './pages/users/UserList.tsx';
import { UserProfile } from './pages/users/UserProfile.tsx';
import { Link, match, useLocation } from './router/router.tsx';
import { ROUTE_PATTERNS, type RoutePattern } from './routes.ts';
import { useLoad } from './ui/hooks.ts';
import { asSentence } from './ui/sentence.ts';

interface NavGroup {
  title: string;
  hint?: string;
  links: { to: string; label: string; exact?: boolean }[];
}

const NAV: NavGroup[] = [
  {
    title: 'Identity Providers',
    links: [
      { to: '/identity-providers', label: 'List', exact: true },
      { to: '/identity-providers/new', label: 'Add' },
      { to: '/authenticators', label: 'Authenticators' },
    ],
  },
  {
    title: 'Service Providers',
    hint: 'applications',
    links: [
      { to: '/applications', label: 'List', exact: true },
      { to: '/applications/new', label: 'Add' },
    ],
  },
  {
    title: 'Claims',
    links: [
      { to: '/claims', label: 'List', exact: true },
      { to: '/claims/new', label: 'Add Local Claim' },
    ],
  },
  {
    title: 'Users and Roles',
    links: [
      { to: '/users', label: 'Users', exact: true },
      { to: '/users/new', label: 'Add User' },
    ],
  },
  {
    title: 'Security',
    links: [
      { to: '/truststore', label: 'Truststore' },
      { to: '/audit', label: 'Audit log' },
      { to: '/messages', label: 'Messages' },
    ],
  },
];

/** Each route's page; the patterns and their order are in routes.ts. */
const PAGES: Record<RoutePattern, (p: Record<string, string>) => ReactNode> = {
  '/': () => <Home />,
  '/identity-providers': () => <IdentityProviderList />,
  '/identity-providers/new': () => <IdentityProviderEdit />,
  '/identity-providers/:id': (p) => <IdentityProviderEdit id={p.id!} />,
  '/authenticators': () => <Authenticators />,
  '/applications': () => <ApplicationList />,
  '/applications/new': () => <ApplicationEdit />,
  '/applications/:id': (p) => <ApplicationEdit id={p.id!} />,
  '/claims': () => <ClaimList />,
  '/claims/new': () => <ClaimEdit />,
  '/claims/:uri': (p) => <ClaimEdit uri={p.uri!} />,
  '/users': () => <UserList />,
  '/users/new': () => <UserAdd />,
  '/users/:id': (p) => <UserProfile id={p.id!} />,
  '/truststore': () => <Truststore />,
  '/audit': () => <AuditLog />,
  '/messages': () => <Messages />,
};

function Page({ path }: { path: string }) {
  for (const pattern of ROUTE_PATTERNS) {
    const params = match(pattern, path === '' ? '/' : path);
    if (params) return <>{PAGES[pattern](params)}</>;
  }
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no console page at <code>{path}</code>. <Link to="/">Go to the overview</Link>.
      </p>
    </>
  );
}

function isCurrent(path: string, to: string, exact?: boolean): boolean {
  if (exact) return path === to;
  return path === to || path.startsWith(`${to}/`);
}

export function NoAdminRole({ me }: { me?: Me | undefined }) {
  const who = me?.user?.username ?? signedInAs();
  return (
    <main id="main" className="standalone">
      <div className="card narrow">
        <h1>You need the admin role to use the console</h1>
        <div className="alert error" role="alert">
          <p>
            {who ? (
              <>
                You are signed in as <strong>{who}</strong>, who does not have the <code>admin</code> role.
              </>
            ) : (
              <>
                The account you signed in with does not have the <code>admin</code> role.
              </>
            )}{' '}
            Ask an administrator to give it to you, or sign in with another account.
          </p>
        </div>
        <button type="button" onClick={() => void logout()}>
          Sign out
        </button>
      </div>
    </main>
  );
}

export function App() {
  const { path } = useLocation();
  const me = useLoad(() => get<Me>('/me'), []);
  const [forbidden, setForbidden] = useState(false);
  const [navOpen, setNavOpen] = useState(false);
  useEffect(() => onForbidden(() => setForbidden(true)), []);
  // a new page closes the phone-width menu and moves focus to its heading, as a page load would
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each route change; path is the trigger
  useEffect(() => {
    setNavOpen(false);
    const h1 = document.querySelector<HTMLElement>('main h1');
    if (h1 && document.activeElement?.closest('nav')) h1.focus();
  }, [path]);

  if (forbidden || me.error instanceof ForbiddenError) return <NoAdminRole me={me.data} />;
  if (me.loading && !me.data) {
    return (
      <main id="main" className="standalone" aria-busy="true">
        <p className="muted">Loading the console…</p>
      </main>
    );
  }
  if (me.error) {
    return (
      <main id="main" className="standalone">
        <div className="card narrow">
          <h1>The console could not start</h1>
          <div className="alert error" role="alert">
            <p>{asSentence(me.error instanceof Error ? me.error.message : String(me.error))}</p>
          </div>
          <button type="button" onClick={me.reload}>
            Try again
          </button>
        </div>
      </main>
    );
  }

  return (
    <div className={`shell${navOpen ? ' nav-open' : ''}`}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={navOpen}
          aria-controls="main-nav"
          onClick={() => setNavOpen((o) => !o)}
        >
          <span aria-hidden="true">☰</span> Menu
        </button>
        <Link to="/" className="brand">
          <span className="logo" aria-hidden="true">
            ◆
          </span>{' '}
          Stepgate <span className="brand-sub">Console</span>
        </Link>
        <div className="who">
          <span className="muted">Signed in as</span>{' '}
          <strong>{me.data?.user?.username ?? me.data?.clientId ?? 'admin'}</strong>
          <button type="button" className="link-button" onClick={() => void logout()}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="main-nav" aria-label="Main">
        <p className="nav-main">
          <Link to="/" aria-current={path === '/' ? 'page' : undefined}>
            Main › Identity
          </Link>
        </p>
        {NAV.map((g) => (
          <div key={g.title} className="nav-group">
            <h2>
              {g.title}
              {g.hint && <span className="hint"> ({g.hint})</span>}
            </h2>
            <ul>
              {g.links.map((l) => (
                <li key={l.to}>
                  <Link to={l.to} aria-current={isCurrent(path, l.to, l.exact) ? 'page' : undefined}>
                    {l.label}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        <Page path={path} />
      </main>
    </div>
  );
}
