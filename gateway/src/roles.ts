/**
 * Who may do what: the one table of every API route and the least role it needs. The
 * authorization middleware reads it on every request, the OpenAPI document marks each
 * operation with it (`x-required-role`), the README's roles table repeats it (a test compares
 * them) and the matrix test calls every route in it with every kind of credential.
 *
 * A route that is missing here is admin-only (fail closed), and the matrix test fails until it
 * is listed: adding a route means adding its line below.
 */
import { API_TOKEN_ROLES, type ApiTokenRole } from '@orchestrator/activities/db/api-tokens';

export type Role = ApiTokenRole;
export const ROLES = API_TOKEN_ROLES;

/** `public` needs no token at all; a role admits that role and every role above it. */
export type Access = 'public' | Role;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RoutePermission {
  method: HttpMethod;
  /** OpenAPI form, parameters in braces: `/api/sessions/{id}/stop`. */
  path: string;
  access: Access;
  /** `websocket` for the /ws upgrade (not an Express route); `http` otherwise. */
  transport?: 'http' | 'websocket';
}

export const ROUTE_PERMISSIONS: readonly RoutePermission[] = [
  // What a browser needs before it has a token.
  { method: 'GET', path: '/api/openapi.json', access: 'public' },
  { method: 'GET', path: '/api/config', access: 'public' },
  // Viewers read.
  { method: 'GET', path: '/api/me', access: 'viewer' },
  { method: 'GET', path: '/api/agents', access: 'viewer' },
  { method: 'GET', path: '/api/agents/{name}', access: 'viewer' },
  { method: 'GET', path: '/api/sessions', access: 'viewer' },
  { method: 'GET', path: '/api/sessions/{id}', access: 'viewer' },
  { method: 'GET', path: '/api/sessions/{id}/logs', access: 'viewer' },
  { method: 'GET', path: '/api/sessions/{id}/tree', access: 'viewer' },
  { method: 'GET', path: '/api/sessions/{id}/checkpoints', access: 'viewer' },
  { method: 'GET', path: '/api/sessions/{id}/diff', access: 'viewer' },
  { method: 'GET', path: '/ws', access: 'viewer', transport: 'websocket' },
  // Operators run sessions.
  { method: 'POST', path: '/api/sessions', access: 'operator' },
  { method: 'POST', path: '/api/sessions/{id}/stop', access: 'operator' },
  { method: 'POST', path: '/api/sessions/{id}/retry', access: 'operator' },
  { method: 'POST', path: '/api/sessions/{id}/fork', access: 'operator' },
  { method: 'POST', path: '/api/sessions/{id}/approve', access: 'operator' },
  { method: 'POST', path: '/api/sessions/{id}/reject', access: 'operator' },
  { method: 'POST', path: '/api/sessions/{id}/pause', access: 'operator' },
  { method: 'POST', path: '/api/sessions/{id}/resume', access: 'operator' },
  { method: 'PUT', path: '/api/sessions/{id}/budget', access: 'operator' },
  // Admins configure agents, manage who may do what, and read what everybody did.
  { method: 'POST', path: '/api/agents', access: 'admin' },
  { method: 'PUT', path: '/api/agents/{name}', access: 'admin' },
  { method: 'DELETE', path: '/api/agents/{name}', access: 'admin' },
  { method: 'GET', path: '/api/tokens', access: 'admin' },
  { method: 'POST', path: '/api/tokens', access: 'admin' },
  { method: 'DELETE', path: '/api/tokens/{id}', access: 'admin' },
  { method: 'GET', path: '/api/audit', access: 'admin' },
];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether a caller with `role` (null: no valid token) may use a route needing `access`. */
export function allows(role: Role | null, access: Access): boolean {
  if (access === 'public') return true;
  return role !== null && RANK[role] >= RANK[access];
}

/** Routes with no line in the table need this (fail closed). */
export const UNLISTED_ACCESS: Access = 'admin';

interface CompiledPermission extends RoutePermission {
  pattern: RegExp;
  /** Literal segments count: `/api/tokens/current` beats `/api/tokens/{id}`. */
  literals: number;
}

function compile(permission: RoutePermission): CompiledPermission {
  const segments = permission.path.split('/').filter(Boolean);
  const source = segments
    .map((segment) =>
      /^\{\w+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return {
    ...permission,
    pattern: new RegExp(`^/${source}/?$`),
    literals: segments.filter((segment) => !segment.startsWith('{')).length,
  };
}

export interface PermissionTable {
  /** The table's entry for a request (HEAD counts as GET), or null when it has none. */
  find(method: string, path: string): RoutePermission | null;
  /** The access a request needs: its entry's, or UNLISTED_ACCESS. */
  accessFor(method: string, path: string): Access;
  entries: readonly RoutePermission[];
}

export function createPermissionTable(
  entries: readonly RoutePermission[] = ROUTE_PERMISSIONS,
): PermissionTable {
  const compiled = entries
    .map(compile)
    .sort((a, b) => b.literals - a.literals || a.path.localeCompare(b.path));
  const find = (method: string, path: string) => {
    const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    return compiled.find((entry) => entry.method === wanted && entry.pattern.test(path)) ?? null;
  };
  return {
    entries,
    find,
    accessFor: (method, path) => find(method, path)?.access ?? UNLISTED_ACCESS,
  };
}
