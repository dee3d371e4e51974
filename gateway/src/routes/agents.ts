/**
 * The agent registry over REST: list and read with live facts (tier, availability, load), and
 * create / replace / delete entries. Entries are validated by the registry with each kind's own
 * rules (the same as AGENTS_FILE), so the field at fault comes back in the problem details.
 * Secrets are never accepted or returned: an entry names the worker's environment variable.
 */
import { Router } from 'express';
import type { AgentView } from '@orchestrator/activities/agents/agent-overview';
import { AgentRegistryError, type AgentStore } from '@orchestrator/activities/agents/agent-store';
import type { AuditRecorder } from '../audit.js';
import { badRequest, HttpProblem, notFound } from '../problem.js';
import { AgentNameParams } from '../schemas.js';
import { parseRequestPart } from '../validate.js';

export interface AgentRoutesOptions {
  store: Pick<AgentStore, 'create' | 'replace' | 'remove' | 'record'>;
  /** Every agent with its live facts. */
  describe: () => Promise<AgentView[]>;
  /** Called after a write, so an in-process worker picks it up at once. */
  changed?: () => void;
  /** Who created, changed or deleted which agent (never the entry's secrets: it has none). */
  audit: AuditRecorder;
}

function toProblem(error: unknown): unknown {
  if (!(error instanceof AgentRegistryError)) return error;
  if (error.status === 404) return notFound(error.message);
  if (error.status === 409) {
    return new HttpProblem(409, 'Conflict', error.message, [
      { path: error.path ?? 'body.name', message: error.message },
    ]);
  }
  return badRequest(
    `The agent entry is not valid: ${error.message}`,
    error.problems.length > 0
      ? error.problems
      : [{ path: error.path ?? 'body', message: error.message }],
  );
}

export function agentRoutes(options: AgentRoutesOptions): Router {
  const router = Router();

  async function view(name: string): Promise<AgentView> {
    const found = (await options.describe()).find((agent) => agent.name === name);
    if (!found) throw notFound(`No agent named "${name}"; GET /api/agents lists them.`);
    return found;
  }

  router.get('/', async (_req, res) => {
    res.json({ items: await options.describe() });
  });

  router.get('/:name', async (req, res) => {
    const { name } = parseRequestPart(AgentNameParams, req.params, 'params');
    res.json(await view(name));
  });

  router.post('/', async (req, res) => {
    const entry: unknown = req.body;
    const record = await options.store.create(entry, 'body').catch((error: unknown) => {
      throw toProblem(error);
    });
    options.changed?.();
    const name = record.config.name;
    await options.audit.record(req, 'agent.create', name, { kind: record.config.kind });
    res
      .status(201)
      .location(`/api/agents/${name}`)
      .json(await view(name));
  });

  router.put('/:name', async (req, res) => {
    const { name } = parseRequestPart(AgentNameParams, req.params, 'params');
    const record = await options.store.replace(name, req.body, 'body').catch((error: unknown) => {
      throw toProblem(error);
    });
    options.changed?.();
    await options.audit.record(req, 'agent.update', name, { kind: record.config.kind });
    res.json(await view(name));
  });

  router.delete('/:name', async (req, res) => {
    const { name } = parseRequestPart(AgentNameParams, req.params, 'params');
    if (!(await options.store.remove(name))) {
      throw notFound(`No agent named "${name}"; GET /api/agents lists them.`);
    }
    options.changed?.();
    await options.audit.record(req, 'agent.delete', name);
    res.status(204).end();
  });

  return router;
}
