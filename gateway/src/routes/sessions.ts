import { Router } from 'express';
import type { LogLine } from '../sessions/logs.js';
import { badRequest } from '../problem.js';
import {
  CreateSessionBody,
  ListSessionsQuery,
  LogsQuery,
  SessionIdParams,
  StopQuery,
} from '../schemas.js';
import type { SessionService } from '../sessions/service.js';
import { parseRequestPart } from '../validate.js';
import type { GatewayMetrics } from '../metrics.js';
import type { AuditRecorder } from '../audit.js';

export interface SessionRoutesOptions {
  sessions: SessionService;
  /** Whether an agent of that name is registered. */
  agentExists: (name: string) => Promise<boolean>;
  /** Returns an error message when the repository is not acceptable, else null. */
  checkRepository: (repository: string) => string | null;
  readLogs: (sessionId: string, after: string | undefined, limit: number) => Promise<LogLine[]>;
  metrics: GatewayMetrics;
  /** Records who started, stopped and retried which session. */
  audit: AuditRecorder;
}

export function sessionRoutes(options: SessionRoutesOptions): Router {
  const router = Router();
  const { sessions } = options;

  router.post('/', async (req, res) => {
    const body = parseRequestPart(CreateSessionBody, req.body, 'body');
    const errors = [];
    if (body.agent && !(await options.agentExists(body.agent))) {
      errors.push({
        path: 'body.agent',
        message: `Unknown agent "${body.agent}"; GET /api/agents lists the configured ones`,
      });
    }
    const repositoryProblem = options.checkRepository(body.repository);
    if (repositoryProblem) errors.push({ path: 'body.repository', message: repositoryProblem });
    if (errors.length > 0) throw badRequest('The session cannot be started as given.', errors);
    const detail = await sessions.start(body);
    options.metrics.sessionsStarted.inc();
    await options.audit.record(req, 'session.start', detail.id, {
      title: body.title,
      agent: detail.agent,
      repository: body.repository,
    });
    res.status(201).location(`/api/sessions/${detail.id}`).json(detail);
  });

  router.get('/', async (req, res) => {
    const query = parseRequestPart(ListSessionsQuery, req.query, 'query');
    res.json(await sessions.list(query));
  });

  router.get('/:id', async (req, res) => {
    const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
    res.json(await sessions.get(id));
  });

  router.post('/:id/stop', async (req, res) => {
    const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
    const { force } = parseRequestPart(StopQuery, req.query, 'query');
    const stopped = await sessions.stop(id, force === 'true');
    await options.audit.record(req, 'session.stop', id, { force: force === 'true' });
    res.status(202).json(stopped);
  });

  router.post('/:id/retry', async (req, res) => {
    const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
    const detail = await sessions.retry(id);
    options.metrics.sessionsStarted.inc();
    await options.audit.record(req, 'session.retry', id, { runId: detail.runId });
    res.status(201).json(detail);
  });

  router.get('/:id/logs', async (req, res) => {
    const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
    const { after, limit } = parseRequestPart(LogsQuery, req.query, 'query');
    await sessions.describe(id);
    const items = await options.readLogs(id, after, limit);
    const last = items.at(-1);
    res.json({ items, nextAfter: items.length === limit && last ? last.id : null });
  });

  return router;
}
