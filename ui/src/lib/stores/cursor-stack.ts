/**
 * Cursor paging over an API that only knows "the page after this cursor": the cursors of the
 * pages behind the current one are kept on a stack so "Previous" can go back.
 * Pure values, so the paging rules can be tested without a component.
 */
export interface CursorStack {
  /** The cursor the current page was fetched with; null for the first page. */
  readonly current: string | null;
  /** Cursors of the pages before the current one, oldest first. */
  readonly previous: readonly (string | null)[];
  /** The cursor of the page after the current one, as the last response said. */
  readonly next: string | null;
}

export const firstPage: CursorStack = { current: null, previous: [], next: null };

export function hasNext(stack: CursorStack): boolean {
  return stack.next !== null;
}

export function hasPrevious(stack: CursorStack): boolean {
  return stack.previous.length > 0;
}

/** 1-based page number, for display. */
export function pageNumber(stack: CursorStack): number {
  return stack.previous.length + 1;
}

/** Records the `nextCursor` of the response for the current page. */
export function withNext(stack: CursorStack, next: string | null): CursorStack {
  return stack.next === next ? stack : { ...stack, next };
}

/** Moves to the next page; unchanged when there is none. */
export function goNext(stack: CursorStack): CursorStack {
  if (stack.next === null) return stack;
  return { current: stack.next, previous: [...stack.previous, stack.current], next: null };
}

/** Moves back one page; unchanged on the first page. */
export function goPrevious(stack: CursorStack): CursorStack {
  if (stack.previous.length === 0) return stack;
  const previous = stack.previous.slice(0, -1);
  const current = stack.previous[stack.previous.length - 1] ?? null;
  // The page we leave is the one after the page we return to.
  return { current, previous, next: stack.current };
}
