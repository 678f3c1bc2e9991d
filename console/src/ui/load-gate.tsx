// What a page shows while its data loads: the error (with "Try again"), "Loading …", then the data.
import type { ReactNode } from 'react';
import type { Loaded } from './hooks.ts';
import { LoadError, Loading } from './page.tsx';

export function LoadGate<T>({
  loaded,
  what,
  children,
}: {
  loaded: Loaded<T>;
  /** "Loading {what}…" */
  what: string;
  children(data: T): ReactNode;
}) {
  if (loaded.error) return <LoadError error={loaded.error} retry={loaded.reload} />;
  if (!loaded.data) return <Loading what={what} />;
  return <>{children(loaded.data)}</>;
}
