// A paged list's table: loading and errors, the current page's rows, and the pager under them.
import { DataTable, type DataTableProps } from './data-table.tsx';
import { LoadGate } from './load-gate.tsx';
import { Pager } from './page.tsx';
import type { PagedList } from './paged-list.ts';

export function PagedTable<T, F>({
  paged,
  what,
  ...table
}: { paged: PagedList<T, F>; what: string } & Omit<DataTableProps<T>, 'rows'>) {
  return (
    <LoadGate loaded={paged.list} what={what}>
      {(page) => (
        <>
          <DataTable {...table} rows={page.items} />
          <Pager {...paged.pager(page)} />
        </>
      )}
    </LoadGate>
  );
}
