import { untrack } from 'svelte';
import { page } from '$app/state';
import type { ResolvedPathname } from '$app/types';
import { gotoWithSearch } from '$lib/models/links';
import { auth } from './auth.svelte';

/** A paged list a page shows: filtered, and kept fresh by polling. */
export interface FilteredList<F> {
  setFilters(filters: F): void;
  /** Starts polling; returns the stop. */
  poll(intervalMs: number): () => void;
}

export interface UrlFilterOptions<F> {
  /** The page's own path, from `resolve()`. */
  path: ResolvedPathname;
  fromParams(params: URLSearchParams): F;
  toSearch(filters: F): string;
  refreshMs: number;
}

/**
 * Wires a list page: the URL holds the filters (a link or the back button shows the same list),
 * and the list polls, again from scratch after a new API token. Call it while the page
 * initialises; it returns what the filter bar calls with new filters.
 */
export function followUrlFilters<F>(
  list: FilteredList<F>,
  options: UrlFilterOptions<F>,
): (next: F) => void {
  const filters = $derived(options.fromParams(page.url.searchParams));
  $effect(() => {
    const wanted = filters;
    untrack(() => list.setFilters(wanted));
  });
  $effect(() => {
    void auth.version;
    return untrack(() => list.poll(options.refreshMs));
  });
  return (next) => {
    void gotoWithSearch(options.path, options.toSearch(next), {
      replaceState: true,
      keepFocus: true,
      noScroll: true,
    });
  };
}
