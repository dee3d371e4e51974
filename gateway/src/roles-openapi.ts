/**
 * Marks every operation of the OpenAPI document with what the route table (roles.ts) says:
 * `x-required-role`, no `security` on public routes, and the 401/403/429 answers that access
 * control and rate limiting add. Done on the generated document so no registration can forget.
 */
import { UNLISTED_ACCESS, type PermissionTable } from './roles.js';

const MUTATING = new Set(['post', 'put', 'patch', 'delete']);
const PROBLEM = { $ref: '#/components/schemas/Problem' };

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: PROBLEM } },
});

interface Operation {
  security?: unknown[];
  responses?: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

export function annotateAccess<T extends { paths?: Record<string, unknown> }>(
  document: T,
  table: PermissionTable,
): T {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, value] of Object.entries(item as Record<string, unknown>)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const operation = value as Operation;
      const access = table.find(method, path)?.access ?? UNLISTED_ACCESS;
      operation['x-required-role'] = access;
      const responses = (operation.responses ??= {});
      if (access === 'public') {
        operation.security = [];
        continue;
      }
      operation.security = [{ bearer: [] }];
      responses['401'] ??= problem('No API token, or one that is unknown or revoked');
      responses['403'] ??= problem(`The token's role is below ${access}`);
      if (MUTATING.has(method)) {
        responses['429'] ??= {
          ...problem('Too many changing requests from this token; see Retry-After'),
          headers: {
            'Retry-After': {
              description: 'Seconds until the token may make one more such request',
              schema: { type: 'integer' },
            },
          },
        };
      }
    }
  }
  return document;
}
