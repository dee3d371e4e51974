/**
 * Receiving end of a log figure: checks that every planned line arrives once and in order, and
 * records each line's latency (produced → received) and the overall rate.
 */
import { summarize, type Summary } from '../core/stats.js';
import { parseLine } from './line-format.js';

export interface LineRunResult {
  planned: number;
  received: number;
  /** Lines that arrived out of sequence (a gap, a repeat or a reordering). */
  outOfOrder: number;
  /** planned lines / (last received − first produced), in lines per second. */
  linesPerSecond: number;
  latencyMs: Summary;
}

export class LineTracker {
  private readonly latencies: Float64Array;
  private received = 0;
  private outOfOrder = 0;
  private expected = 1;
  private firstProducedAt = Number.NaN;
  private lastReceivedAt = Number.NaN;
  private resolveDone: () => void = () => {};
  /** Resolves when every planned line has arrived. */
  readonly done: Promise<void>;

  constructor(readonly planned: number) {
    this.latencies = new Float64Array(planned);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  add(line: string, receivedAt: number): void {
    const parsed = parseLine(line);
    if (!parsed) return;
    if (parsed.seq !== this.expected) this.outOfOrder += 1;
    this.expected = parsed.seq + 1;
    if (this.received === 0) this.firstProducedAt = parsed.producedAt;
    if (this.received < this.planned)
      this.latencies[this.received] = receivedAt - parsed.producedAt;
    this.received += 1;
    this.lastReceivedAt = receivedAt;
    if (this.received === this.planned) this.resolveDone();
  }

  result(): LineRunResult {
    if (this.received === 0) throw new Error('no log line arrived: nothing to measure');
    return {
      planned: this.planned,
      received: this.received,
      outOfOrder: this.outOfOrder,
      linesPerSecond: this.received / ((this.lastReceivedAt - this.firstProducedAt) / 1000),
      latencyMs: summarize(
        Array.from(this.latencies.subarray(0, Math.min(this.received, this.planned))),
      ),
    };
  }
}
