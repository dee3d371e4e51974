/**
 * What a plan's dependencies may not do: name a task twice, depend on a task that is not in the
 * plan or on itself, or go round in a cycle. Works on whatever the schema could not vouch for, so
 * these errors come together with the schema's on the planner's second chance.
 */
import type { PlanError } from '../contracts.js';

/** The little of a task these checks need; null where the planner wrote something not a string. */
export interface TaskLinks {
  id: string | null;
  dependsOn: Array<string | null>;
}

const MAX_LISTED_IDS = 20;

function listIds(ids: string[]): string {
  const shown = ids.slice(0, MAX_LISTED_IDS).join(', ');
  return ids.length > MAX_LISTED_IDS ? `${shown}, …` : shown;
}

export function dependencyErrors(tasks: TaskLinks[]): PlanError[] {
  const errors: PlanError[] = [];
  // A duplicated id resolves to its first task: one report of the duplicate is enough.
  const indexOf = new Map<string, number>();
  tasks.forEach((task, index) => {
    if (task.id === null) return;
    const first = indexOf.get(task.id);
    if (first === undefined) indexOf.set(task.id, index);
    else
      errors.push({
        path: `tasks[${index}].id`,
        message: `duplicate id "${task.id}" (tasks[${first}] has it too); every task needs its own id`,
      });
  });
  const known = listIds([...indexOf.keys()]);

  const edges: number[][] = tasks.map(() => []);
  tasks.forEach((task, index) => {
    task.dependsOn.forEach((dependency, position) => {
      if (dependency === null) return; // the schema reports it
      const path = `tasks[${index}].dependsOn[${position}]`;
      const target = indexOf.get(dependency);
      if (dependency === task.id) {
        errors.push({ path, message: `task "${dependency}" depends on itself; remove it here` });
      } else if (target === undefined) {
        errors.push({
          path,
          message: `depends on "${dependency}", which is not a task of this plan; dependsOn lists ids of tasks in the same plan (${known})`,
        });
      } else if (target !== index) {
        edges[index]!.push(target);
      }
    });
  });

  for (const component of stronglyConnected(edges)) {
    if (component.length < 2) continue;
    const cycle = shortestCycle(component, edges);
    const names = cycle.map((index) => tasks[index]!.id!);
    const others = component.filter((index) => !cycle.includes(index));
    const rest =
      others.length > 0
        ? `; ${listIds(others.map((index) => tasks[index]!.id!))} also depend on each other in a loop with these`
        : '';
    errors.push({
      path: 'tasks',
      message: `dependency cycle: ${[...names, names[0]].join(' → ')} (each task depends on the next)${rest}; remove one of these dependencies`,
    });
  }
  return errors;
}

/**
 * Tarjan's strongly connected components, without recursion (a plan that is far too big must not
 * overflow the stack). Components come out ordered by their first task in plan order, members
 * in plan order.
 */
function stronglyConnected(edges: number[][]): number[][] {
  const order = new Array<number>(edges.length).fill(-1);
  const low = new Array<number>(edges.length).fill(0);
  const onStack = new Array<boolean>(edges.length).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;

  for (let root = 0; root < edges.length; root++) {
    if (order[root] !== -1) continue;
    const frames: Array<{ node: number; next: number }> = [{ node: root, next: 0 }];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length > 0) {
      const frame = frames.at(-1)!;
      const targets = edges[frame.node]!;
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (order[target] === -1) {
          order[target] = low[target] = counter++;
          stack.push(target);
          onStack[target] = true;
          frames.push({ node: target, next: 0 });
        } else if (onStack[target]) {
          low[frame.node] = Math.min(low[frame.node]!, order[target]!);
        }
        continue;
      }
      frames.pop();
      const parent = frames.at(-1);
      if (parent) low[parent.node] = Math.min(low[parent.node]!, low[frame.node]!);
      if (low[frame.node] === order[frame.node]) {
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = false;
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components.sort((a, b) => a[0]! - b[0]!);
}

/** The shortest cycle through the component's first task, by breadth-first search inside it. */
function shortestCycle(component: number[], edges: number[][]): number[] {
  const start = component[0]!;
  const inside = new Set(component);
  const cameFrom = new Map<number, number>([[start, -1]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const target of edges[node]!) {
      if (target === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return path;
      }
      if (inside.has(target) && !cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return component; // unreachable: every member of a component of two or more is on a cycle
}
