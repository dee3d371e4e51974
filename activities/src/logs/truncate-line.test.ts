import { describe, expect, it } from 'vitest';
import { MAX_LINE_LENGTH, truncateLine } from './truncate-line.js';

describe('truncateLine', () => {
  it('keeps lines up to the limit as they are', () => {
    const line = 'x'.repeat(MAX_LINE_LENGTH);
    expect(truncateLine(line)).toBe(line);
  });

  it('cuts longer lines and says how much was cut', () => {
    const cut = truncateLine('x'.repeat(MAX_LINE_LENGTH + 500));
    expect(cut.startsWith('x'.repeat(MAX_LINE_LENGTH))).toBe(true);
    expect(cut.endsWith(' … [truncated 500 characters]')).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateLine(`ab${'😀'.repeat(4)}`, 5);
    expect(cut).toBe('ab😀 … [truncated 6 characters]');
  });
});
