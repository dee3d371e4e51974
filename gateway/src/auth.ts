/**
 * API tokens: required on /api and /ws when the gateway listens beyond loopback (or when
 * AUTH_REQUIRED=true). Tokens are stored hashed; this only asks the store to verify one.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { sendProblem, unauthorized } from './problem.js';

export interface TokenVerifier {
  verify(token: string): Promise<{ id: string; name: string } | null>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Whether a listen address is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
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

export function requireToken(verifier: TokenVerifier): RequestHandler {
  return (req, res, next) => {
    const token = tokenFromHeader(req.headers.authorization);
    if (!token) {
      sendProblem(
        res,
        unauthorized('This gateway requires an API token: send "Authorization: Bearer <token>".'),
      );
      return;
    }
    verifier.verify(token).then(
      (record) => {
        if (!record) {
          sendProblem(res, unauthorized('The API token is not valid (unknown or revoked).'));
          return;
        }
        next();
      },
      (error: unknown) => next(error),
    );
  };
}
