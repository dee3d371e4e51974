import type { Agent, FieldError, Problem } from '$lib/types/api';
import { problemOf } from '$lib/services/problem';
import {
  configFromDraft,
  draftFromConfig,
  emptyDraft,
  placeErrors,
  templateFor,
  type AgentDraft,
  type DraftField,
} from '$lib/models/agent-draft';
import { api } from './gateway.svelte';

/**
 * Creating or editing one agent: the draft the form binds to, the errors per field (the
 * console's own checks first, then the gateway's problem+json), and the save.
 */
export class AgentEditor {
  /** The agent being edited; null while creating a new one. */
  readonly original: string | null;
  draft = $state<AgentDraft>(emptyDraft());
  saving = $state(false);
  problem = $state<Problem | null>(null);
  fieldErrors = $state<Partial<Record<DraftField, string[]>>>({});
  otherErrors = $state<string[]>([]);
  /** The kind the JSON editor's template was last filled for, so switching kind can refill it. */
  #templateKind: string;

  constructor(agent: Agent | null) {
    this.original = agent?.name ?? null;
    this.draft = agent ? draftFromConfig(agent.config) : emptyDraft();
    this.#templateKind = this.draft.kind;
  }

  get creating(): boolean {
    return this.original === null;
  }

  /**
   * Changes the kind. The JSON is replaced by the new kind's template only while it still is the
   * old kind's untouched template: typed configuration is never thrown away.
   */
  setKind(kind: string): void {
    const untouched = this.draft.specific.trim() === templateFor(this.#templateKind).trim();
    this.draft.kind = kind;
    if (untouched && this.creating) {
      this.draft.specific = templateFor(kind);
      this.#templateKind = kind;
    }
  }

  /** Saves; resolves to the saved agent, or null when something must be fixed first. */
  async save(): Promise<Agent | null> {
    if (this.saving) return null;
    this.problem = null;
    this.#place([]);
    const result = configFromDraft(this.draft);
    if (result.config === null) {
      this.#place(result.errors);
      return null;
    }
    this.saving = true;
    try {
      return this.original === null
        ? await api.createAgent(result.config)
        : await api.updateAgent(this.original, result.config);
    } catch (error) {
      const problem = problemOf(error);
      this.problem = problem;
      this.#place(problem.errors ?? []);
      return null;
    } finally {
      this.saving = false;
    }
  }

  #place(errors: readonly FieldError[]): void {
    const placed = placeErrors(errors);
    this.fieldErrors = placed.byField;
    this.otherErrors = placed.other;
  }
}
