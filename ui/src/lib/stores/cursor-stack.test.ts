import { describe, expect, it } from 'vitest';
import {
  firstPage,
  goNext,
  goPrevious,
  hasNext,
  hasPrevious,
  pageNumber,
  withNext,
} from './cursor-stack';

describe('cursor stack', () => {
  it('starts on page 1 with nowhere to go', () => {
    expect(pageNumber(firstPage)).toBe(1);
    expect(hasNext(firstPage)).toBe(false);
    expect(hasPrevious(firstPage)).toBe(false);
    expect(goNext(firstPage)).toBe(firstPage);
    expect(goPrevious(firstPage)).toBe(firstPage);
  });

  it('walks forward and back through the cursors it was given', () => {
    let stack = withNext(firstPage, 'c2');
    expect(hasNext(stack)).toBe(true);
    stack = goNext(stack);
    expect(stack).toEqual({ current: 'c2', previous: [null], next: null });
    stack = withNext(stack, 'c3');
    stack = goNext(stack);
    expect(stack).toEqual({ current: 'c3', previous: [null, 'c2'], next: null });
    expect(pageNumber(stack)).toBe(3);
    stack = withNext(stack, null); // the last page

    stack = goPrevious(stack);
    expect(stack).toEqual({ current: 'c2', previous: [null], next: 'c3' });
    stack = goPrevious(stack);
    expect(stack).toEqual({ current: null, previous: [], next: 'c2' });
    expect(hasPrevious(stack)).toBe(false);
    expect(pageNumber(stack)).toBe(1);
  });

  it('takes the newest nextCursor after a refresh', () => {
    const stack = withNext(firstPage, 'a');
    expect(withNext(stack, 'a')).toBe(stack);
    expect(withNext(stack, 'b').next).toBe('b');
    expect(hasNext(withNext(stack, null))).toBe(false);
  });
});
