import { describe, expect, it } from 'vitest';
import { createCountCache } from './count-cache.js';

function counter(values: number[]) {
  const calls: string[] = [];
  return {
    calls,
    count: async (query: string) => {
      calls.push(query);
      const value = values.shift();
      if (value === undefined) throw new Error('visibility unavailable');
      return value;
    },
  };
}

describe('count cache', () => {
  it('answers the same query from one count until it is ttl old', async () => {
    let clock = 0;
    const visibility = counter([10, 11]);
    const cache = createCountCache(visibility.count, 2000, () => clock);
    expect(await cache.count('a')).toBe(10);
    clock = 1999;
    expect(await cache.count('a')).toBe(10);
    clock = 2000;
    expect(await cache.count('a')).toBe(11);
    expect(visibility.calls).toEqual(['a', 'a']);
  });

  it('shares a count in flight, keeps queries apart and counts anew after clear()', async () => {
    const visibility = counter([1, 2, 3]);
    const cache = createCountCache(visibility.count, 60_000);
    expect(await Promise.all([cache.count('a'), cache.count('a'), cache.count('b')])).toEqual([
      1, 1, 2,
    ]);
    cache.clear();
    expect(await cache.count('a')).toBe(3);
    expect(visibility.calls).toEqual(['a', 'b', 'a']);
  });

  it('does not remember a failed count', async () => {
    const visibility = counter([]);
    const cache = createCountCache(visibility.count, 60_000);
    await expect(cache.count('a')).rejects.toThrow('visibility unavailable');
    await expect(cache.count('a')).rejects.toThrow('visibility unavailable');
    expect(visibility.calls).toEqual(['a', 'a']);
  });

  it('counts every time with a ttl of 0', async () => {
    const visibility = counter([1, 2]);
    const cache = createCountCache(visibility.count, 0);
    expect([await cache.count('a'), await cache.count('a')]).toEqual([1, 2]);
  });
});
