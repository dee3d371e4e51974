/**
 * Who may open /ws: a page of an allowed origin (security-origin.ts) with a token whose role
 * the route table allows for `GET /ws` (roles.ts). Answers the problem to send instead of the
 * upgrade, or null to upgrade.
 */
import type { IncomingMessage } from 'node:http';
import { decideAccess, forbidden, tokenFromUpgrade, type AccessControlOptions } from './auth.js';
import { unauthorized, type HttpProblem } from './problem.js';
import { originProblem, type OriginPolicy } from './security-origin.js';

export type WebSocketAdmission = (request: IncomingMessage) => Promise<HttpProblem | null>;

export function admitWebSocket(
  access: AccessControlOptions,
  origins: OriginPolicy,
): WebSocketAdmission {
  return async (request) => {
    const refused = originProblem(request.headers, origins);
    if (refused) return forbidden(refused);
    const decision = await decideAccess(access, 'GET', '/ws', tokenFromUpgrade(request));
    if (decision.allowed) return null;
    if (decision.problem.status === 401) {
      return unauthorized(`${decision.problem.detail} On /ws, pass it as ?token=<token>.`);
    }
    return decision.problem;
  };
}
