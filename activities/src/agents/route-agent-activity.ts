/**
 * The `routeAgent` activity: picks the agent for a step that asks for capabilities (routing.ts),
 * from a fresh view of the registry, tiers, availability and load. An activity, not workflow
 * code, because that view is read from Postgres and Temporal; its decision, with the reason, is
 * recorded in history so a replay routes the same way.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { LogArchive } from '../db/log-archive.js';
import { createLogWriter } from '../logs/log-writer.js';
import type { LogBus } from '../logs/types.js';
import type { RouteAgentInput, RouteAgentResult } from '../contracts.js';
import type { AgentView } from './agent-overview.js';
import { chooseAgent, NoEligibleAgentError } from './routing.js';

export interface RouteAgentDeps {
  /** Every registered agent with its tier, availability and load. */
  overview: () => Promise<AgentView[]>;
  bus: LogBus;
  archive: LogArchive;
}

export function createRouteAgent(deps: RouteAgentDeps) {
  return async function routeAgent(input: RouteAgentInput): Promise<RouteAgentResult> {
    const agents = await deps.overview();
    try {
      const decision = chooseAgent(
        { capabilities: input.capabilities, ...(input.minTier ? { minTier: input.minTier } : {}) },
        agents,
      );
      // In the session's log (live and archived) like the agent's own lines.
      const writer = createLogWriter({
        bus: deps.bus,
        archive: deps.archive,
        sessionId: input.sessionId,
      });
      writer.write('system', `▶ routed to ${decision.reason}`);
      await writer.flush();
      return decision;
    } catch (error) {
      if (!(error instanceof NoEligibleAgentError)) throw error;
      // Retryable: a worker that can run one may come up, or an agent may be registered.
      throw ApplicationFailure.create({
        type: 'NoEligibleAgent',
        message: error.message,
        nonRetryable: false,
        details: [{ candidates: error.candidates }],
      });
    }
  };
}
