/**
 * What a planning step asks of its agent. LLM agents read it from the goal; scripted
 * (`command`) agents get the same facts as environment variables (ORCHESTRATOR_ROLE,
 * ORCHESTRATOR_PLAN_FILE, ORCHESTRATOR_PLAN_ERRORS, ORCHESTRATOR_TASK_GOAL).
 */
import type { PlanError } from '@orchestrator/activities/contracts';

/** Where the planner writes, relative to its workspace (committed with the planning step). */
export const PLAN_FILE = '.orchestrator/plan.json';

export function planningGoal(goal: string, maxChildren: number, errors: PlanError[] = []): string {
  const lines = [
    'Break the goal below into sub-tasks that other agents will carry out. Do not do the work.',
    `Write the plan as JSON to ${PLAN_FILE} in the workspace, in this form:`,
    '{"tasks":[{"id":"api","title":"…","goal":"…","capabilities":["code"],"dependsOn":[],"decompose":false}]}',
    `At most ${maxChildren} tasks; ids are lowercase letters, digits and dashes; dependsOn names`,
    'ids of tasks that must finish first (no cycles); decompose asks for a further plan.',
  ];
  if (errors.length > 0) {
    lines.push('', 'Your previous plan was refused. Fix these problems:');
    for (const error of errors) lines.push(`- ${error.path || 'plan'}: ${error.message}`);
  }
  lines.push('', 'Goal:', goal);
  return lines.join('\n');
}

export function resolveGoal(branch: string, files: string[]): string {
  return [
    `Merging ${branch} left conflicts in: ${files.join(', ')}.`,
    'Resolve them: edit the files so they keep the intent of both sides and contain no conflict',
    'markers. Do not commit; the orchestrator commits the workspace when you finish.',
  ].join('\n');
}
