import { Router } from 'express';
import type { AuditLog } from '@orchestrator/activities/db/audit-log';
import { AuditQuery } from '../schemas.js';
import { parseRequestPart } from '../validate.js';

/** The audit trail for admins, newest first, paged by id (`before`). */
export function auditRoutes(options: { log: Pick<AuditLog, 'list'> }): Router {
  const router = Router();
  router.get('/audit', async (req, res) => {
    const query = parseRequestPart(AuditQuery, req.query, 'query');
    const items = await options.log.list({
      limit: query.limit,
      ...(query.before !== undefined ? { before: query.before } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.actorTokenId ? { actorTokenId: query.actorTokenId } : {}),
    });
    const last = items.at(-1);
    res.json({
      items: items.map((event) => ({ ...event, at: event.at.toISOString() })),
      nextBefore: items.length === query.limit && last ? last.id : null,
    });
  });
  return router;
}
