/** Task queue names of DESIGN.md: one for orchestration, one per agent. */
export const ORCHESTRATOR_TASK_QUEUE = 'orchestrator';

export function agentTaskQueue(agentName: string): string {
  return `agent-${agentName}`;
}

/** Workflow ids read as the session's place in Temporal Web: `session-<id>`. */
export function sessionWorkflowId(sessionId: string): string {
  return `session-${sessionId}`;
}

/** A task's workflow id: its session's id plus its path, `session-7f3k.2.1`. */
export function taskWorkflowId(sessionId: string, path: string): string {
  return `${sessionWorkflowId(sessionId)}.${path}`;
}
