import { goto } from '$app/navigation';
import type { ResolvedPathname } from '$app/types';

/**
 * A console path from `resolve()` with a query string added (`/sessions?status=failed`): still a
 * link inside the console, since `resolve()` itself takes no query.
 */
export function withSearch(path: ResolvedPathname, search: string): ResolvedPathname {
  if (search === '' || search === '?') return path;
  return `${path}${search.startsWith('?') ? search : `?${search}`}` as ResolvedPathname;
}

/** Moves to a console page with a query (the filters of a list, the agent being edited). */
export function gotoWithSearch(
  path: ResolvedPathname,
  search: string,
  options: Parameters<typeof goto>[1] = {},
): Promise<void> {
  return goto(withSearch(path, search), options);
}
