// Page header with breadcrumbs in the guide's words ("Identity Providers › List › Edit"), and small shared bits.
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { Link } from '../router/router.tsx';
import { asSentence } from './sentence.ts';

export interface Crumb {
  label: string;
  to?: string;
}

export function PageHeader({
  crumbs,
  title,
  actions,
  lead,
}: {
  crumbs: Crumb[];
  title: string;
  actions?: ReactNode;
  lead?: ReactNode;
}) {
  return (
    <div className="page-header">
      <nav aria-label="Breadcrumb" className="crumbs">
        <ol>
          {crumbs.map((c, i) => (
            <li key={`${c.label}:${c.to ?? ''}`}>
              {c.to ? (
                <Link to={c.to}>{c.label}</Link>
              ) : (
                <span aria-current={i === crumbs.length - 1 ? 'page' : undefined}>{c.label}</span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <div className="title-row">
        <h1 tabIndex={-1}>{title}</h1>
        {actions && <div className="actions">{actions}</div>}
      </div>
      {lead && <p className="lead">{lead}</p>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  const text =
    error instanceof ApiError
      ? error.problem.detail || error.problem.title
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div className="alert error" role="alert">
      <p>{asSentence(text)}</p>
      {retry && (
        <button type="button" className="secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Badge({
  children,
  tone = 'neutral',
}: {
  children: ReactNode;
  tone?: 'neutral' | 'good' | 'warn' | 'bad';
}) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

export function Pager({
  total,
  offset,
  limit,
  onPage,
}: {
  total: number;
  offset: number;
  limit: number;
  onPage(offset: number): void;
}) {
  if (total <= limit) return <p className="muted small">{total === 1 ? '1 item' : `${total} items`}</p>;
  return (
    <div className="pager">
      <button
        type="button"
        className="secondary"
        disabled={offset === 0}
        onClick={() => onPage(Math.max(0, offset - limit))}
      >
        Previous
      </button>
      <span>
        {offset + 1}–{Math.min(total, offset + limit)} of {total}
      </span>
      <button
        type="button"
        className="secondary"
        disabled={offset + limit >= total}
        onClick={() => onPage(offset + limit)}
      >
        Next
      </button>
    </div>
  );
}
