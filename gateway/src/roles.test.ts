import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allows, createPermissionTable, ROLES, ROUTE_PERMISSIONS, type Access } from './roles.js';

const table = createPermissionTable();

describe('route table', () => {
  it('ranks roles: each admits itself and the roles above it, public admits anyone', () => {
    const rows = (['public', ...ROLES] as Access[]).map((access) => [
      access,
      [null, ...ROLES].filter((role) => allows(role, access)),
    ]);
    expect(rows).toEqual([
      ['public', [null, 'viewer', 'operator', 'admin']],
      ['viewer', ['viewer', 'operator', 'admin']],
      ['operator', ['operator', 'admin']],
      ['admin', ['admin']],
    ]);
  });

  it('finds a request by method and path, HEAD as GET, with or without a trailing slash', () => {
    expect(table.accessFor('GET', '/api/sessions')).toBe('viewer');
    expect(table.accessFor('HEAD', '/api/sessions/')).toBe('viewer');
    expect(table.accessFor('POST', '/api/sessions')).toBe('operator');
    expect(table.accessFor('POST', '/api/sessions/abc/stop')).toBe('operator');
    expect(table.accessFor('GET', '/api/sessions/abc/logs')).toBe('viewer');
    expect(table.accessFor('delete', '/api/tokens/0b6f')).toBe('admin');
    expect(table.accessFor('GET', '/api/config')).toBe('public');
    // A parameter is one segment: it does not swallow the rest of a path.
    expect(table.find('GET', '/api/sessions/abc/logs/extra')).toBeNull();
    expect(table.find('POST', '/api/sessions/a/b/stop')).toBeNull();
  });

  it('makes anything unlisted admin-only (fail closed)', () => {
    expect(table.find('GET', '/api/not-a-route')).toBeNull();
    expect(table.accessFor('GET', '/api/not-a-route')).toBe('admin');
    expect(table.accessFor('PATCH', '/api/sessions/abc')).toBe('admin');
  });

  it('prefers a literal segment over a parameter', () => {
    const custom = createPermissionTable([
      { method: 'GET', path: '/api/things/{id}', access: 'admin' },
      { method: 'GET', path: '/api/things/mine', access: 'viewer' },
    ]);
    expect(custom.accessFor('GET', '/api/things/mine')).toBe('viewer');
    expect(custom.accessFor('GET', '/api/things/other')).toBe('admin');
  });

  it('lists each route once', () => {
    const keys = ROUTE_PERMISSIONS.map((entry) => `${entry.method} ${entry.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is what gateway/README.md shows', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const documented = [
      ...readme.matchAll(
        /^\| `(GET|POST|PUT|PATCH|DELETE) (\S+)`\s*\| (public|viewer|operator|admin)\s*\|$/gm,
      ),
    ].map((match) => `${match[1]} ${match[2]} ${match[3]}`);
    const table = ROUTE_PERMISSIONS.map((e) => `${e.method} ${e.path} ${e.access}`);
    expect(documented.sort()).toEqual(table.sort());
  });
});
