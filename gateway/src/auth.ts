/**
 * Who is calling, and may they? API tokens are required on /api and /ws when the gateway listens
 * beyond loopback (or when AUTH_REQUIRED=true); each carries a role, and the route table in
 * roles.ts says which role each route needs. Tokens are stored hashed; this only asks the store
 * to verify one.
 *
 * Tokens travel in the `Authorization: Bearer` header, never in a cookie: a browser attaches
 * cookies to cross-site requests on its own, which is what CSRF abuses, but it never adds an
 * Authorization header that the page's own script did not set. So another site can make a
 * browser send requests here, but never with a token. (/ws takes `?token=` because browsers
 * cannot set headers on a WebSocket; its Origin is checked instead, see security-origin.ts.)
 */
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { ApiToken } from '@orchestrator/activities/db/api-tokens';
import { HttpProblem, sendProblem, unauthorized } from './problem.js';
import { allows, type Access, type PermissionTable, type Role } from './roles.js';

export interface TokenVerifier {
  verify(token: string): Promise<Pick<ApiToken, 'id' | 'name' | 'role'> | null>;
}

/** The caller of a request, as the audit trail names it. */
export interface Principal {
  /** The API token's id; null for the local user of a gateway without authentication. */
  tokenId: string | null;
  name: string;
  role: Role;
}

/** Without authentication (loopback only) the one local user may do everything. */
export const LOCAL_PRINCIPAL: Principal = Object.freeze({
  tokenId: null,
  name: 'local',
  role: 'admin',
});

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Whether a listen address (or a Host header's name) is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return LOOPBACK_HOSTS.has(name) || name.startsWith('127.');
}

export function tokenFromHeader(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/** Browsers cannot set headers on a WebSocket, so /ws also accepts `?token=`. */
export function tokenFromUpgrade(request: IncomingMessage): string | null {
  const fromHeader = tokenFromHeader(request.headers.authorization);
  if (fromHeader) return fromHeader;
  const url = new URL(request.url ?? '/', 'http://gateway');
  return url.searchParams.get('token');
}

const principals = new WeakMap<IncomingMessage, Principal>();

/** The authenticated caller of a request; null on a public route called without a token. */
export function principalOf(req: IncomingMessage): Principal | null {
  return principals.get(req) ?? null;
}

export const forbidden = (detail: string) => new HttpProblem(403, 'Forbidden', detail);

export type AccessDecision =
  | { allowed: true; principal: Principal | null }
  | { allowed: false; problem: HttpProblem; principal: Principal | null };

export interface AccessControlOptions {
  /** null turns authentication off: every caller is LOCAL_PRINCIPAL. */
  verifier: TokenVerifier | null;
  table: PermissionTable;
}

/**
 * Decides whether a token may use a route (method and full path): 401 without a valid token,
 * 403 when its role is below the route's. Shared by REST and the /ws upgrade.
 */
export async function decideAccess(
  options: AccessControlOptions,
  method: string,
  path: string,
  token: string | null,
): Promise<AccessDecision> {
  if (!options.verifier) return { allowed: true, principal: LOCAL_PRINCIPAL };
  const access: Access = options.table.accessFor(method, path);
  if (access === 'public') return { allowed: true, principal: null };
  if (!token) {
    return {
      allowed: false,
      principal: null,
      problem: unauthorized(
        'This gateway requires an API token: send "Authorization: Bearer <token>".',
      ),
    };
  }
  const record = await options.verifier.verify(token);
  if (!record) {
    return {
      allowed: false,
      principal: null,
      problem: unauthorized('The API token is not valid (unknown or revoked).'),
    };
  }
  const principal: Principal = { tokenId: record.id, name: record.name, role: record.role };
  if (!allows(principal.role, access)) {
    return {
      allowed: false,
      principal,
      problem: forbidden(
        `${method.toUpperCase()} ${path} needs the ${access} role or above; the token ` +
          `"${principal.name}" is a ${principal.role}. Ask an admin for a token with that role.`,
      ),
    };
  }
  return { allowed: true, principal };
}

/**
 * The access check for every /api request (mount it on /api, before the routes). `onDenied`
 * hears about each 403, so the audit trail can keep it.
 */
export function accessControl(
  options: AccessControlOptions & {
    onDenied?: (req: Request, principal: Principal) => void;
  },
): RequestHandler {
  return (req, res, next) => {
    const path = `${req.baseUrl}${req.path}`;
    decideAccess(options, req.method, path, tokenFromHeader(req.headers.authorization)).then(
      (decision) => {
        if (decision.principal) principals.set(req, decision.principal);
        if (decision.allowed) {
          next();
          return;
        }
        if (decision.problem.status === 403 && decision.principal) {
          options.onDenied?.(req, decision.principal);
        }
        sendProblem(res, decision.problem);
      },
      (error: unknown) => next(error),
    );
  };
}
