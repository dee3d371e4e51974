import type { Agent, Problem } from '$lib/types/api';
import { problemOf } from '$lib/services/problem';
import { api } from './gateway.svelte';
import { LatestRequest, pollLatest } from './latest-request';

/**
 * The agent registry as GET /api/agents reports it, polled so load and availability stay live.
 * Writes go through AgentEditor (agent-editor.svelte.ts); `remove` is here because the table
 * offers it.
 */
export class AgentRegistry {
  items = $state<Agent[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state<Problem | null>(null);
  updatedAt = $state<number | null>(null);
  /** The agent being deleted, and what went wrong with the last delete. */
  removing = $state<string | null>(null);
  removeError = $state<Problem | null>(null);
  readonly #request = new LatestRequest();

  find(name: string): Agent | undefined {
    return this.items.find((agent) => agent.name === name);
  }

  async refresh(): Promise<void> {
    this.loading = true;
    const outcome = await this.#request.run((signal) => api.listAgents(signal));
    if (outcome.status === 'superseded') return;
    this.loading = false;
    if (outcome.status === 'failed') {
      this.error = problemOf(outcome.error);
      return;
    }
    this.items = outcome.value.items;
    this.error = null;
    this.loaded = true;
    this.updatedAt = Date.now();
  }

  /** Puts a saved agent in the list at once, before the next poll confirms it. */
  upsert(agent: Agent): void {
    const index = this.items.findIndex((item) => item.name === agent.name);
    if (index === -1) {
      this.items = [...this.items, agent].sort((a, b) => a.name.localeCompare(b.name));
    } else {
      this.items = this.items.map((item, i) => (i === index ? agent : item));
    }
  }

  async remove(name: string): Promise<boolean> {
    if (this.removing) return false;
    this.removing = name;
    this.removeError = null;
    try {
      await api.deleteAgent(name);
      this.items = this.items.filter((agent) => agent.name !== name);
      return true;
    } catch (error) {
      this.removeError = problemOf(error);
      return false;
    } finally {
      this.removing = null;
    }
  }

  /** Refreshes now and every `intervalMs` while the tab is visible; returns the stopper. */
  poll(intervalMs: number): () => void {
    const stop = pollLatest(this.#request, () => this.refresh(), intervalMs);
    return () => {
      stop();
      this.loading = false;
    };
  }
}
