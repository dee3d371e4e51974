import { describe, expect, it } from 'vitest';
import type { LogLine } from '$lib/types/api';
import { LogBuffer } from './log-buffer';

const line = (id: string): LogLine => ({ id, stream: 'stdout', line: id, ts: 0 });

describe('LogBuffer', () => {
  it('keeps lines in order, each id once', () => {
    const buffer = new LogBuffer();
    expect(buffer.append([line('1'), line('2')])).toEqual({ added: 2, truncated: false });
    expect(buffer.append([line('2'), line('3')])).toEqual({ added: 1, truncated: false });
    expect(buffer.lines.map((l) => l.id)).toEqual(['1', '2', '3']);
    expect(buffer.lastId).toBe('3');
  });

  it('drops the oldest half past the limit', () => {
    const buffer = new LogBuffer(4);
    buffer.append([line('1'), line('2'), line('3'), line('4')]);
    expect(buffer.append([line('5')])).toEqual({ added: 1, truncated: true });
    expect(buffer.lines.map((l) => l.id)).toEqual(['4', '5']);
    // A dropped id may come back (a fresh replay) and is then new again.
    expect(buffer.append([line('1')]).added).toBe(1);
  });

  it('clears', () => {
    const buffer = new LogBuffer();
    buffer.append([line('1')]);
    buffer.clear();
    expect(buffer.lines).toEqual([]);
    expect(buffer.lastId).toBeUndefined();
    expect(buffer.append([line('1')]).added).toBe(1);
  });
});
