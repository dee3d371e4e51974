import { join } from 'node:path';
import type { AgentStepInput } from '../contracts.js';
import { traceEnvironment } from './agent-trace.js';
import { stepIdentityEnvironment, stepIdentityOf } from './step-processes.js';

/**
 * What every agent process learns about its step from the environment. ORCHESTRATOR_SESSION_ID
 * is also how a retried step recognises a crashed attempt's orphan in /proc (orphans.ts), and
 * the step's whole identity how its leftovers outside the agent's group are (step-processes.ts).
 * TRACEPARENT/TRACESTATE, when tracing is on, put the agent's own spans in the session's trace.
 * ROLE, TASK_GOAL, TASK_PATH, PLAN_FILE and PLAN_ERRORS tell a scripted (`command`) agent what
 * an LLM agent reads in its goal's instructions: whether to plan, where, and what was wrong.
 */
export function orchestratorEnvironment(
  agent: string,
  input: AgentStepInput,
): Record<string, string> {
  return {
    ORCHESTRATOR_GOAL: input.goal,
    // SESSION_ID, STEP, AGENT and TASK_PATH: how the step's leftovers are found (step-processes.ts).
    ...stepIdentityEnvironment(stepIdentityOf(agent, input)),
    ORCHESTRATOR_WORKSPACE: input.workspace,
    ORCHESTRATOR_ROLE: input.role ?? 'work',
    ORCHESTRATOR_TASK_GOAL: input.taskGoal ?? input.goal,
    ...(input.planFile ? { ORCHESTRATOR_PLAN_FILE: join(input.workspace, input.planFile) } : {}),
    ...(input.planErrors?.length ? { ORCHESTRATOR_PLAN_ERRORS: input.planErrors.join('\n') } : {}),
    ...traceEnvironment(),
  };
}
