import type { CheckpointList, CheckpointVerification, Problem } from '$lib/types/api';
import { problemOf } from '$lib/services/problem';
import { linkMarks, type LinkMark } from '$lib/models/checkpoint-chain';
import { api } from './gateway.svelte';
import { LatestRequest } from './latest-request';

export type ChainLoader = (sessionId: string, signal: AbortSignal) => Promise<CheckpointList>;

/**
 * The gateway's verification of a session's checkpoint chain (GET …/checkpoints: one history
 * read per workflow), read again only when the chain changed, not on every poll.
 */
export class CheckpointChain {
  readonly sessionId: string;
  verification = $state<CheckpointVerification | null>(null);
  loading = $state(false);
  error = $state<Problem | null>(null);
  /** The chain signature the verification belongs to (models/checkpoint-chain.ts). */
  #verified: string | null = null;
  readonly #load: ChainLoader;
  readonly #request = new LatestRequest();

  constructor(
    sessionId: string,
    load: ChainLoader = (id, signal) => api.getCheckpoints(id, signal),
  ) {
    this.sessionId = sessionId;
    this.#load = load;
  }

  get marks(): Map<number, LinkMark> {
    return linkMarks(this.verification);
  }

  /** Verifies again when the chain is not the one verified last. */
  async refreshIf(signature: string): Promise<void> {
    if (signature === this.#verified) return;
    await this.refresh(signature);
  }

  async refresh(signature: string | null = null): Promise<void> {
    this.#verified = signature;
    this.loading = true;
    const outcome = await this.#request.run((signal) => this.#load(this.sessionId, signal));
    if (outcome.status === 'superseded') return;
    this.loading = false;
    if (outcome.status === 'failed') {
      this.error = problemOf(outcome.error);
      // Try again on the next change or poll rather than keeping a failed read as verified.
      this.#verified = null;
    } else {
      this.verification = outcome.value.verification;
      this.error = null;
    }
  }

  stop(): void {
    this.#request.abort();
    this.loading = false;
  }
}
