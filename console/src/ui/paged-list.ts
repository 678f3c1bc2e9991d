// A paged list from the admin API: the filter that is applied, the page offset, and the loaded page.
import { useCallback, useState } from 'react';
import type { Page } from '../api/types.ts';
import { useLoad } from './hooks.ts';

export function usePagedList<T, F>(
  initial: F,
  load: (filter: F, offset: number, limit: number) => Promise<Page<T>>,
  limit: number,
) {
  const [filter, setFilter] = useState<F>(initial);
  const [offset, setOffset] = useState(0);
  const list = useLoad(() => load(filter, offset, limit), [filter, offset]);
  /** a new filter starts again at the first page */
  const apply = useCallback((next: F) => {
    setOffset(0);
    setFilter(next);
  }, []);
  /** the Pager's props for a loaded page */
  const pager = (page: Page<T>) => ({
    total: page.total,
    offset: page.offset ?? offset,
    limit: page.limit ?? limit,
    onPage: setOffset,
  });
  return { filter, apply, list, pager };
}

export type PagedList<T, F> = ReturnType<typeof usePagedList<T, F>>;
