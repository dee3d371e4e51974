import type { Checkpoint, Problem } from '$lib/types/api';
import { problemOf } from '$lib/services/problem';
import { gatewayDiffSource, type DiffResult, type DiffSource } from '$lib/services/checkpoint-diff';
import { api } from './gateway.svelte';
import { LatestRequest } from './latest-request';

/** The checkpoint chosen on the timeline and the diff it introduced. */
export class CheckpointDiff {
  readonly sessionId: string;
  selected = $state<number | null>(null);
  result = $state<DiffResult | null>(null);
  loading = $state(false);
  error = $state<Problem | null>(null);
  readonly #source: DiffSource;
  readonly #request = new LatestRequest();

  constructor(sessionId: string, source: DiffSource = gatewayDiffSource(api)) {
    this.sessionId = sessionId;
    this.#source = source;
  }

  /** Shows a checkpoint's diff; the selected one again (or null) closes it. */
  async toggle(checkpoint: Checkpoint | null): Promise<void> {
    if (checkpoint === null || checkpoint.seq === this.selected) {
      this.#request.abort();
      this.selected = null;
      this.result = null;
      this.error = null;
      this.loading = false;
      return;
    }
    this.selected = checkpoint.seq;
    this.result = null;
    this.error = null;
    this.loading = true;
    const outcome = await this.#request.run((signal) =>
      this.#source(this.sessionId, checkpoint, signal),
    );
    if (outcome.status === 'superseded') return;
    this.loading = false;
    if (outcome.status === 'failed') this.error = problemOf(outcome.error);
    else this.result = outcome.value;
  }
}
