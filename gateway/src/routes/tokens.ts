import { Router } from 'express';
import type { ApiToken, ApiTokenStore } from '@orchestrator/activities/db/api-tokens';
import type { AuditRecorder } from '../audit.js';
import { LOCAL_PRINCIPAL, principalOf } from '../auth.js';
import { conflict, notFound } from '../problem.js';
import { CreateTokenBody, TokenIdParams } from '../schemas.js';
import { parseRequestPart } from '../validate.js';

export interface TokenRoutesOptions {
  tokens: Pick<ApiTokenStore, 'create' | 'get' | 'list' | 'revoke' | 'count'>;
  audit: AuditRecorder;
  authRequired: boolean;
}

/** A token as the API shows it: never the secret (only its hash is stored anyway). */
function publicToken(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

/** Who am I (any role), and token management (admins; the route table says so). */
export function tokenRoutes(options: TokenRoutesOptions): Router {
  const router = Router();
  const { tokens, audit } = options;

  router.get('/me', (req, res) => {
    const principal = principalOf(req) ?? LOCAL_PRINCIPAL;
    res.json({ ...principal, authRequired: options.authRequired });
  });

  router.get('/tokens', async (_req, res) => {
    res.json({ items: (await tokens.list()).map(publicToken) });
  });

  router.post('/tokens', async (req, res) => {
    const { name, role } = parseRequestPart(CreateTokenBody, req.body, 'body');
    const created = await tokens.create(name, role);
    await audit.record(req, 'token.create', created.id, { name, role });
    res
      .status(201)
      .location(`/api/tokens/${created.id}`)
      .json({ ...publicToken(created), token: created.token });
  });

  router.delete('/tokens/:id', async (req, res) => {
    const { id } = parseRequestPart(TokenIdParams, req.params, 'params');
    const token = await tokens.get(id);
    if (!token) throw notFound(`No API token has id ${id}; GET /api/tokens lists them.`);
    if (token.revokedAt) {
      throw conflict(
        `The token "${token.name}" was already revoked at ${token.revokedAt.toISOString()}.`,
      );
    }
    if (token.role === 'admin' && (await tokens.count('admin')) <= 1) {
      throw conflict(
        `"${token.name}" is the last live admin token: revoking it would leave nobody able to ` +
          'manage tokens. Create another admin token first.',
      );
    }
    await tokens.revoke(id);
    await audit.record(req, 'token.revoke', id, { name: token.name, role: token.role });
    res.status(204).end();
  });

  return router;
}
