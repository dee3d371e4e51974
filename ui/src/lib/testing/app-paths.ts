/**
 * `$app/paths` for unit tests, which run on Svelte's compiler without SvelteKit: `resolve` fills
 * a route's [params] the way SvelteKit does for an app served at the root.
 */
export function resolve(route: string, params: Record<string, string> = {}): string {
  return route.replace(/\[(\w+)\]/g, (_match, name: string) =>
    encodeURIComponent(params[name] ?? ''),
  );
}

export const base = '';
