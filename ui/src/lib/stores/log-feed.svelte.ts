import type { LogLine } from '$lib/types/api';
import { LogBuffer } from './log-buffer';

/**
 * The log of one session for a view. Lines live in a plain buffer (thousands of them would be
 * slow as deep reactive state); `version` changes on every append and `generation` whenever the
 * view must redraw from the start, so a terminal can write just the new lines.
 */
export class LogFeed {
  readonly #buffer: LogBuffer;
  version = $state(0);
  generation = $state(0);

  constructor(limit?: number) {
    this.#buffer = new LogBuffer(limit);
  }

  get lines(): readonly LogLine[] {
    return this.#buffer.lines;
  }

  get lastId(): string | undefined {
    return this.#buffer.lastId;
  }

  append(lines: readonly LogLine[]): number {
    const { added, truncated } = this.#buffer.append(lines);
    if (truncated) this.generation += 1;
    if (added > 0 || truncated) this.version += 1;
    return added;
  }

  reset(): void {
    this.#buffer.clear();
    this.generation += 1;
    this.version += 1;
  }
}
