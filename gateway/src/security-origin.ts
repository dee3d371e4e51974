/**
 * Which web pages may drive this gateway from a browser. Browsers send `Origin` on every
 * WebSocket handshake and every cross-site POST/PUT/PATCH/DELETE; a page is allowed when it is
 * the console itself (same host as the request) or listed in ALLOWED_ORIGINS. Requests without
 * an Origin (curl, the SDKs, server-to-server) are not browsers and pass.
 *
 * WebSockets are not covered by CORS, so without this any site could open /ws in a visitor's
 * browser; and a gateway without authentication (loopback) would take a cross-site form POST
 * to /stop. The Host check closes DNS rebinding for that unauthenticated gateway: a page on
 * evil.example rebound to 127.0.0.1 is same-origin by its Origin, but its Host is not loopback.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { forbidden, isLoopbackHost } from './auth.js';
import { sendProblem } from './problem.js';

export interface OriginPolicy {
  /** Extra origins (scheme://host[:port]) whose pages may call the API and open /ws. */
  allowedOrigins: readonly string[];
  /** Authentication off: only loopback Host headers (and allowed origins' hosts) are served. */
  loopbackOnly: boolean;
}

/** Normalises an origin as browsers send it (`https://a.example:8443`), or null if malformed. */
export function normaliseOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Why a request's Origin/Host is refused, or null when it may proceed. */
export function originProblem(
  headers: Pick<IncomingHttpHeaders, 'origin' | 'host'>,
  policy: OriginPolicy,
): string | null {
  const host = (headers.host ?? '').toLowerCase();
  const allowed = new Set(policy.allowedOrigins.map((o) => normaliseOrigin(o) ?? o));
  if (policy.loopbackOnly) {
    const hostname = hostName(host);
    const allowedHosts = [...allowed].map((origin) => new URL(origin).host);
    if (!hostname || (!isLoopbackHost(hostname) && !allowedHosts.includes(host))) {
      return (
        `This gateway has authentication off and answers only to loopback host names, not ` +
        `"${host}". Open it as http://127.0.0.1 or http://localhost, or turn authentication on.`
      );
    }
  }
  const origin = headers.origin;
  if (origin === undefined) return null;
  const normalised = normaliseOrigin(origin);
  if (normalised && (new URL(normalised).host === host || allowed.has(normalised))) return null;
  return (
    `Requests from pages on ${origin} are not allowed: the console's own origin is, and ` +
    `ALLOWED_ORIGINS lists any other.`
  );
}

function hostName(host: string): string | null {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses (403) state-changing requests from foreign pages, and any request with a bad Host. */
export function originGuard(policy: OriginPolicy): RequestHandler {
  return (req, res, next) => {
    const headers = SAFE_METHODS.has(req.method)
      ? { host: req.headers.host } // reading is safe: CORS keeps the answer from a foreign page
      : { host: req.headers.host, origin: req.headers.origin };
    const problem = originProblem(headers, policy);
    if (problem) {
      sendProblem(res, forbidden(problem));
      return;
    }
    next();
  };
}
