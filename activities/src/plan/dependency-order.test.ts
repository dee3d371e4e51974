import { describe, expect, it } from 'vitest';
import type { PlanTask } from '../contracts.js';
import { dependencyOrder } from './dependency-order.js';

function task(id: string, dependsOn: string[] = []): PlanTask {
  return { id, title: id, goal: id, capabilities: [], dependsOn, decompose: false };
}

function ids(tasks: PlanTask[]): string[] {
  return dependencyOrder(tasks).map((t) => t.id);
}

describe('dependencyOrder', () => {
  it('keeps plan order when nothing depends on anything', () => {
    expect(ids([task('c'), task('a'), task('b')])).toEqual(['c', 'a', 'b']);
  });

  it('moves a task only as far as its dependencies require', () => {
    expect(ids([task('a'), task('b', ['d']), task('c'), task('d'), task('e')])).toEqual([
      'a',
      'c',
      'd',
      'b',
      'e',
    ]);
  });

  it('orders a diamond with its join last, whatever order it was written in', () => {
    const diamond = [
      task('join', ['left', 'right']),
      task('right', ['base']),
      task('left', ['base']),
      task('base'),
    ];
    expect(ids(diamond)).toEqual(['base', 'right', 'left', 'join']);
    const written = [
      task('base'),
      task('left', ['base']),
      task('right', ['base']),
      task('join', ['left', 'right']),
    ];
    expect(ids(written)).toEqual(['base', 'left', 'right', 'join']);
  });

  it('returns the same task objects and leaves the input alone', () => {
    const tasks = [task('b', ['a']), task('a')];
    const order = dependencyOrder(tasks);
    expect(order[0]).toBe(tasks[1]);
    expect(tasks.map((t) => t.id)).toEqual(['b', 'a']);
  });

  it('throws on what validation refuses', () => {
    expect(() => ids([task('a', ['b']), task('b', ['a']), task('c')])).toThrow(
      'dependency cycle: none of the tasks a, b can run first',
    );
    expect(() => ids([task('a', ['a'])])).toThrow(/dependency cycle/);
    expect(() => ids([task('a', ['x'])])).toThrow(
      'task "a" depends on "x", which is not in the plan',
    );
    expect(() => ids([task('a'), task('a')])).toThrow('duplicate task id "a"');
  });
});
