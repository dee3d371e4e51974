import type { Agent, AppConfig, Problem } from '$lib/types/api';
import { problemOf } from '$lib/services/problem';
import { api } from './gateway.svelte';
import { auth } from './auth.svelte';

/** The gateway's /api/config and /api/agents, loaded once per page view (again after a token). */
class GatewayInfo {
  config = $state<AppConfig | null>(null);
  agents = $state<Agent[]>([]);
  loading = $state(false);
  configError = $state<Problem | null>(null);
  agentsError = $state<Problem | null>(null);
  #loadedFor = -1;

  /** Loads config and agents unless already loaded for the current token. */
  async ensure(): Promise<void> {
    if (this.#loadedFor === auth.version || this.loading) return;
    this.#loadedFor = auth.version;
    await this.load();
  }

  async load(): Promise<void> {
    this.loading = true;
    const [config, agents] = await Promise.allSettled([api.getConfig(), api.listAgents()]);
    if (config.status === 'fulfilled') {
      this.config = config.value;
      this.configError = null;
      if (config.value.authRequired && !auth.token) {
        auth.require('This gateway requires an API token.');
      }
    } else {
      this.configError = problemOf(config.reason);
    }
    if (agents.status === 'fulfilled') {
      this.agents = agents.value.items;
      this.agentsError = null;
    } else {
      this.agentsError = problemOf(agents.reason);
    }
    this.loading = false;
  }
}

export const gatewayInfo = new GatewayInfo();
