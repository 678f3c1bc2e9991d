// A list page's table: column headers, one row an item, an optional "nothing here" row. On a phone the rows become
// cards (styles.css): each cell shows its column's name from data-label, and the explicit roles keep the table a
// table for screen readers, which drop the semantics of a table whose display is changed by CSS.
// biome-ignore-all lint/a11y/noRedundantRoles: the roles are kept on purpose for the card layout (see above)
import type { ReactNode } from 'react';
import { Link } from '../router/router.tsx';

export interface Column<T> {
  header: string;
  /** the header is for screen readers only (an actions column) */
  hiddenHeader?: boolean;
  /** the row's header cell (th scope="row") */
  rowHeader?: boolean;
  className?: string;
  cell(row: T): ReactNode;
}

export interface DataTableProps<T> {
  caption?: ReactNode;
  hideCaption?: boolean;
  className?: string;
  columns: Column<T>[];
  rows: T[];
  rowKey(row: T): string;
  /** shown in a row of its own when there are no rows */
  empty?: ReactNode;
}

export function DataTable<T>({ caption, hideCaption, className, columns, rows, rowKey, empty }: DataTableProps<T>) {
  return (
    <div className="table-wrap">
      <table className={className} role="table">
        {caption && <caption className={hideCaption ? 'visually-hidden' : undefined}>{caption}</caption>}
        <thead role="rowgroup">
          <tr role="row">
            {columns.map((c) => (
              <th key={c.header} scope="col" role="columnheader">
                {c.hiddenHeader ? <span className="visually-hidden">{c.header}</span> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {rows.map((r) => (
            <tr key={rowKey(r)} role="row">
              {columns.map((c) =>
                c.rowHeader ? (
                  <th key={c.header} scope="row" role="rowheader" className={c.className}>
                    {c.cell(r)}
                  </th>
                ) : (
                  <td
                    key={c.header}
                    role="cell"
                    className={c.className}
                    data-label={c.hiddenHeader ? undefined : c.header}
                  >
                    {c.cell(r)}
                  </td>
                ),
              )}
            </tr>
          ))}
          {rows.length === 0 && empty !== undefined && (
            <tr role="row">
              <td colSpan={columns.length} role="cell" className="muted">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** The last column: a link or button per row, its header read by screen readers only. */
export function actionsColumn<T>(cell: (row: T) => ReactNode): Column<T> {
  return { header: 'Actions', hiddenHeader: true, cell };
}

/** A row's link to its page, named for screen readers ("Edit Pickup Dispatch"). */
export function RowLink({ to, label, text = 'Edit' }: { to: string; label: string; text?: string }) {
  return (
    <Link to={to} aria-label={label}>
      {text}
    </Link>
  );
}

/** An empty value in a cell. */
export const NONE = <span className="muted">—</span>;
