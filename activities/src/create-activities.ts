/**
 * The activity implementations a worker registers: the workspace, plan, status and routing ones
 * on the `orchestrator` queue, `runAgentStep` on every `agent-<name>` queue.
 */
import type { Logger } from 'pino';
import { createRunAgentStep } from './agents/run-agent-step.js';
import type { AgentView } from './agents/agent-overview.js';
import type { AgentRegistry } from './agents/registry.js';
import { createRouteAgent } from './agents/route-agent-activity.js';
import type { StepLedger } from './agents/step-ledger.js';
import type { AgentActivities, OrchestratorActivities } from './contracts.js';
import type { LogArchive } from './db/log-archive.js';
import { createPublishStatus } from './logs/publish-status.js';
import type { LogBus } from './logs/types.js';
import { createTreeActivities } from './tree-activities.js';
import { createPrepareWorkspace } from './workspace/prepare-workspace-activity.js';

export interface ActivityDeps {
  bus: LogBus;
  archive: LogArchive;
  agents: AgentRegistry;
  /** The usage ledger; steps go unrecorded without it (unit tests). */
  ledger?: StepLedger;
  /** This worker's id in the ledger. */
  workerId?: string;
  /**
   * Every agent with tier, availability and load, for routing by capability; without it a
   * session must name its agent.
   */
  overview?: () => Promise<AgentView[]>;
  /** Where session checkouts are created. */
  workspacesDir: string;
  /** Local repositories must resolve inside one of these. */
  allowedRoots: string[];
  logger?: Logger;
}

export type Activities = OrchestratorActivities & AgentActivities;

export function createActivities(deps: ActivityDeps): Activities {
  const workspaceSettings = { workspacesDir: deps.workspacesDir, allowedRoots: deps.allowedRoots };
  return {
    prepareWorkspace: createPrepareWorkspace(workspaceSettings),
    ...createTreeActivities(workspaceSettings),
    publishStatus: createPublishStatus(deps.bus, deps.archive),
    routeAgent: createRouteAgent({
      bus: deps.bus,
      archive: deps.archive,
      overview:
        deps.overview ??
        (() =>
          Promise.reject(
            new Error('Routing by capability needs the agent registry (not configured here).'),
          )),
    }),
    runAgentStep: createRunAgentStep({
      bus: deps.bus,
      archive: deps.archive,
      agents: deps.agents,
      ...(deps.ledger ? { ledger: deps.ledger } : {}),
      ...(deps.workerId ? { workerId: deps.workerId } : {}),
      ...(deps.logger ? { logger: deps.logger } : {}),
    }),
  };
}
