/**
 * The order to run a plan's tasks in. Pure (no Node imports): the workflow may import it.
 */
import type { PlanTask } from '../contracts.js';

/**
 * A topological order that keeps plan order wherever dependencies allow: each next task is the
 * first one in the plan whose dependencies are all placed. Throws on what validatePlan refuses
 * (a cycle, an unknown dependency, a duplicate id): callers validate first.
 */
export function dependencyOrder(tasks: PlanTask[]): PlanTask[] {
  const ids = new Set<string>();
  for (const task of tasks) {
    if (ids.has(task.id)) throw new Error(`duplicate task id "${task.id}"`);
    ids.add(task.id);
  }
  for (const task of tasks) {
    const unknown = task.dependsOn.find((id) => !ids.has(id));
    if (unknown !== undefined) {
      throw new Error(`task "${task.id}" depends on "${unknown}", which is not in the plan`);
    }
  }

  // Quadratic, and plans hold at most a few dozen tasks: the simplest way to stay stable.
  const placed = new Set<string>();
  const order: PlanTask[] = [];
  let waiting = tasks;
  while (waiting.length > 0) {
    const next = waiting.find((task) => task.dependsOn.every((id) => placed.has(id)));
    if (!next) {
      const stuck = waiting.map((task) => task.id).join(', ');
      throw new Error(`dependency cycle: none of the tasks ${stuck} can run first`);
    }
    placed.add(next.id);
    order.push(next);
    waiting = waiting.filter((task) => task !== next);
  }
  return order;
}
