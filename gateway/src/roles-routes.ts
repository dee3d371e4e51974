/**
 * Every HTTP route an Express app serves, read from its routers (router 2.3's listRoutes), in
 * the route table's form (`GET /api/sessions/{id}`). The matrix test compares this list with
 * roles.ts and the OpenAPI document, so a route added to the app cannot go unlisted.
 */
import type { Express } from 'express';

interface ListedRoute {
  path: string | RegExp;
  methods: string[] | undefined;
  router: RouterLike | undefined;
}

interface RouterLike {
  listRoutes?: () => ListedRoute[];
}

export interface AppRoute {
  method: string;
  /** With `{param}` for `:param`; RegExp routes keep their source in slashes. */
  path: string;
}

function join(prefix: string, path: string): string {
  const joined = `${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

function walk(router: RouterLike, prefix: string, out: AppRoute[]): void {
  if (!router.listRoutes) {
    throw new Error(
      'This Express router cannot list its routes (router ≥ 2.3 has listRoutes); the route ' +
        'matrix needs it to find every route.',
    );
  }
  for (const route of router.listRoutes()) {
    const path =
      typeof route.path === 'string'
        ? join(prefix, route.path.replace(/:(\w+)/g, '{$1}'))
        : `${prefix}/${route.path.source}/`;
    if (route.router) {
      walk(route.router, typeof route.path === 'string' ? path : prefix, out);
      continue;
    }
    for (const method of route.methods ?? []) {
      // HEAD is answered by every GET route; '*' (app.all) is reported as such.
      if (method.toUpperCase() === 'HEAD') continue;
      out.push({ method: method.toUpperCase(), path });
    }
  }
}

export function listAppRoutes(app: Express): AppRoute[] {
  const routes: AppRoute[] = [];
  walk(app.router as unknown as RouterLike, '', routes);
  return routes;
}
