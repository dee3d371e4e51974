import { Router } from 'express';
import type { LogLine } from '../sessions/logs.js';
import { badRequest, type FieldError } from '../problem.js';
import {
  BudgetSchema,
  CreateSessionBody,
  DecisionBody,
  DiffQuery,
  ForkBody,
  ListSessionsQuery,
  LogsQuery,
  RetryBody,
  SessionIdParams,
  StopQuery,
} from '../schemas.js';
import { verifyCheckpoints } from '../sessions/checkpoints.js';
import { SessionControls } from '../sessions/controls.js';
import { checkpointDiff } from '../sessions/diff.js';
import type { SessionService } from '../sessions/service.js';
import { forkSession, rewindSession } from '../sessions/time-travel.js';
import { nestTree } from '../sessions/tree.js';
import { deriveStatus, isClosed } from '../sessions/status.js';
import { parseRequestPart } from '../validate.js';
import type { GatewayMetrics } from '../metrics.js';
import { actorOf, type AuditRecorder } from '../audit.js';

export interface SessionRoutesOptions {
  sessions: SessionService;
  /** Whether an agent of that name is registered. */
  agentExists: (name: string) => Promise<boolean>;
  /** Returns an error message when the repository is not acceptable, else null. */
  checkRepository: (repository: string) => string | null;
  readLogs: (sessionId: string, after: string | undefined, limit: number) => Promise<LogLine[]>;
  metrics: GatewayMetrics;
  /** Records who started, stopped, retried, approved, forked … which session. */
  audit: AuditRecorder;
}

export function sessionRoutes(options: SessionRoutesOptions): Router {
  const router = Router();
  const { sessions } = options;
  const controls = new SessionControls(sessions);

  /** A field error for each named agent that is not registered. */
  const unknownAgents = async (named: Array<[path: string, name: string | undefined]>) => {
    const errors: FieldError[] = [];
    for (const [path, name] of named) {
      if (name && !(await options.agentExists(name))) {
        errors.push({
          path,
          message: `Unknown agent "${name}"; GET /api/agents lists the configured ones`,
        });
      }
    }
    return errors;
  };

  router.post('/', async (req, res) => {
    const body = parseRequestPart(CreateSessionBody, req.body, 'body');
    const errors = await unknownAgents([
      ['body.agent', body.agent],
      ['body.plan.planner', body.plan?.planner],
    ]);
    const repositoryProblem = options.checkRepository(body.repository);
    if (repositoryProblem) errors.push({ path: 'body.repository', message: repositoryProblem });
    if (errors.length > 0) throw badRequest('The session cannot be started as given.', errors);
    const detail = await sessions.start(body);
    options.metrics.sessionsStarted.inc();
    await options.audit.record(req, 'session.start', detail.id, {
      title: body.title,
      agent: detail.agent,
      repository: body.repository,
      ...(body.plan ? { plan: body.plan } : {}),
      ...(body.budget ? { budget: body.budget } : {}),
      ...(body.approvals ? { approvals: body.approvals } : {}),
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
    const { checkpoint } = parseRequestPart(RetryBody, req.body, 'body');
    if (checkpoint === undefined) {
      const detail = await sessions.retry(id);
      options.metrics.sessionsStarted.inc();
      await options.audit.record(req, 'session.retry', id, { runId: detail.runId });
      res.status(201).json(detail);
      return;
    }
    const { detail, resetTo } = await rewindSession(sessions, id, checkpoint, actorOf(req).name);
    options.metrics.sessionsStarted.inc();
    await options.audit.record(req, 'session.retry', id, { runId: detail.runId, resetTo });
    res.status(201).json({ ...detail, resetTo });
  });

  router.get('/:id/tree', async (req, res) => {
    const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
    const { info, state } = await sessions.requireState(id);
    // A closed run's queue is history: nothing waits any more.
    const queued = new Set(isClosed(info) ? [] : (state.steps?.queued ?? []));
    res.json({
      sessionId: id,
      status: deriveStatus(info),
      usage: state.usage ?? { tokens: state.tokensUsed, costUsd: 0 },
      budget: state.budget ?? {},
      outcome: state.outcome ?? null,
      nodes: nestTree(state.tree ?? [], (workflowId) => sessions.temporalUrl(workflowId), queued),
    });
  });

  router.get('/:id/checkpoints', async (req, res) => {
    const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
    const { info, state } = await sessions.requireState(id);
    const items = state.checkpoints;
    const verification = await verifyCheckpoints(sessions.client, items, info);
    res.json({ items, verification });
  });

  router.get('/:id/diff', async (req, res) => {
    const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
    const { checkpoint } = parseRequestPart(DiffQuery, req.query, 'query');
    res.json(await checkpointDiff(sessions, id, checkpoint));
  });

  for (const [route, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    router.post(`/:id/${route}`, async (req, res) => {
      const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
      const body = parseRequestPart(DecisionBody, req.body, 'body');
      const by = actorOf(req).name;
      const recorded = await controls.decide(id, decision, { ...body, by });
      await options.audit.record(req, `session.${route}`, id, {
        gate: recorded.gate,
        taskPath: recorded.taskPath,
        ...(recorded.comment ? { comment: recorded.comment } : {}),
      });
      res.json(recorded);
    });
  }

  for (const kind of ['pause', 'resume'] as const) {
    router.post(`/:id/${kind}`, async (req, res) => {
      const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
      const signalled = await controls.signal(id, kind, actorOf(req).name);
      await options.audit.record(req, `session.${kind}`, id);
      res.status(202).json(signalled);
    });
  }

  router.put('/:id/budget', async (req, res) => {
    const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
    const budget = parseRequestPart(BudgetSchema, req.body, 'body');
    const inForce = await controls.setBudget(id, budget, actorOf(req).name);
    await options.audit.record(req, 'session.budget', id, { budget: inForce });
    res.json(inForce);
  });

  router.post('/:id/fork', async (req, res) => {
    const { id } = parseRequestPart(SessionIdParams, req.params, 'params');
    const body = parseRequestPart(ForkBody, req.body, 'body');
    const errors = await unknownAgents([['body.agent', body.agent]]);
    if (errors.length > 0) throw badRequest('The session cannot be forked as given.', errors);
    const detail = await forkSession(sessions, id, body);
    options.metrics.sessionsStarted.inc();
    await options.audit.record(req, 'session.fork', id, {
      fork: detail.id,
      checkpoint: body.checkpoint,
      ...(body.agent ? { agent: body.agent } : {}),
    });
    res.status(201).location(`/api/sessions/${detail.id}`).json(detail);
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
