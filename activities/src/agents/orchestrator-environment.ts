import type { AgentStepInput } from '../contracts.js';
import { traceEnvironment } from './agent-trace.js';

/**
 * What every agent process learns about its step from the environment. ORCHESTRATOR_SESSION_ID
 * is also how a retried step recognises a crashed attempt's orphan in /proc (orphans.ts).
 * TRACEPARENT/TRACESTATE, when tracing is on, put the agent's own spans in the session's trace.
 */
export function orchestratorEnvironment(
  agent: string,
  input: AgentStepInput,
): Record<string, string> {
  return {
    ORCHESTRATOR_GOAL: input.goal,
    ORCHESTRATOR_SESSION_ID: input.sessionId,
    ORCHESTRATOR_STEP: String(input.step),
    ORCHESTRATOR_AGENT: agent,
    ORCHESTRATOR_WORKSPACE: input.workspace,
    ...traceEnvironment(),
  };
}
