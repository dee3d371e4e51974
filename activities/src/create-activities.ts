/**
 * The activity implementations a worker registers: `prepareWorkspace` and `publishStatus` on
 * the `orchestrator` queue, `runAgentStep` on every `agent-<name>` queue.
 */
import type { Logger } from 'pino';
import { createRunAgentStep } from './agents/run-agent-step.js';
import type { AgentRegistry } from './agents/registry.js';
import type { AgentActivities, OrchestratorActivities } from './contracts.js';
import type { LogArchive } from './db/log-archive.js';
import { createPublishStatus } from './logs/publish-status.js';
import type { LogBus } from './logs/types.js';
import { createPrepareWorkspace } from './workspace/prepare-workspace-activity.js';

export interface ActivityDeps {
  bus: LogBus;
  archive: LogArchive;
  agents: AgentRegistry;
  /** Where session checkouts are created. */
  workspacesDir: string;
  /** Local repositories must resolve inside one of these. */
  allowedRoots: string[];
  logger?: Logger;
}

export type Activities = OrchestratorActivities & AgentActivities;

export function createActivities(deps: ActivityDeps): Activities {
  return {
    prepareWorkspace: createPrepareWorkspace({
      workspacesDir: deps.workspacesDir,
      allowedRoots: deps.allowedRoots,
    }),
    publishStatus: createPublishStatus(deps.bus),
    runAgentStep: createRunAgentStep({
      bus: deps.bus,
      archive: deps.archive,
      agents: deps.agents,
      ...(deps.logger ? { logger: deps.logger } : {}),
    }),
  };
}
