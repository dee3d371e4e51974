import type { LogLine } from '$lib/types/api';

/**
 * Log lines in arrival order, each id once, at most `limit` lines (past it the oldest half is
 * dropped, so an endless session does not exhaust memory). Plain data: no reactivity here.
 */
export class LogBuffer {
  readonly lines: LogLine[] = [];
  readonly #ids = new Set<string>();
  readonly #limit: number;

  constructor(limit = 100_000) {
    this.#limit = Math.max(2, limit);
  }

  get lastId(): string | undefined {
    return this.lines[this.lines.length - 1]?.id;
  }

  /**
   * Appends the lines not seen before. Returns how many were added and whether older lines were
   * dropped (a view must then redraw from the start).
   */
  append(lines: readonly LogLine[]): { added: number; truncated: boolean } {
    let added = 0;
    for (const line of lines) {
      if (this.#ids.has(line.id)) continue;
      this.#ids.add(line.id);
      this.lines.push(line);
      added += 1;
    }
    let truncated = false;
    if (this.lines.length > this.#limit) {
      const dropped = this.lines.splice(0, this.lines.length - Math.floor(this.#limit / 2));
      for (const line of dropped) this.#ids.delete(line.id);
      truncated = true;
    }
    return { added, truncated };
  }

  clear(): void {
    this.lines.length = 0;
    this.#ids.clear();
  }
}
