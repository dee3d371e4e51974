/**
 * Agent configuration lives on the server: the API only names an agent, and this decides what
 * actually runs. One kind per adapter (see adapters.ts); issue #4 moves the list into a
 * Postgres registry, the shapes stay.
 */
/** What every agent has, whatever its kind. */
export interface AgentConfigBase {
  name: string;
  description?: string;
  /**
   * What it is good for (e.g. plan, code, review, test): a step that asks for capabilities is
   * routed to an agent that has all of them.
   */
  capabilities?: string[];
  /** How many steps of this agent one worker runs at once (its task queue slots). */
  maxConcurrency?: number;
  /** Silence (no output line or event) after which the agent is stopped and the step retried. */
  stallTimeoutMs?: number;
}

export interface CommandAgentConfig extends AgentConfigBase {
  kind: 'command';
  /** argv of the process; run in the workspace without a shell unless argv says so. */
  command: string[];
  /** Extra environment; the goal arrives as ORCHESTRATOR_GOAL, never interpolated into argv. */
  env?: Record<string, string>;
  /** Whether a non-zero exit may be retried by Temporal (default false: fails the step). */
  retryOnNonZeroExit?: boolean;
}

/** How Claude Code may act in the workspace without anyone to answer its prompts. */
export const CLAUDE_CODE_PERMISSION_MODES = [
  'acceptEdits',
  'bypassPermissions',
  'dontAsk',
] as const;
export type ClaudeCodePermissionMode = (typeof CLAUDE_CODE_PERMISSION_MODES)[number];

/**
 * Claude Code (`@anthropic-ai/claude-code`), run as `claude -p … --output-format stream-json`.
 * Secrets are never part of the configuration: `apiKeyEnv` names the worker's environment
 * variable that holds the key.
 */
export interface ClaudeCodeAgentConfig extends AgentConfigBase {
  kind: 'claude-code';
  /** Model name or alias passed to `--model` (e.g. `sonnet`, `claude-sonnet-4-5`). */
  model: string;
  /** Path (or command name) of the `claude` binary; default `claude` on the worker's PATH. */
  binary?: string;
  /** Anthropic-compatible API base URL (ANTHROPIC_BASE_URL); default Anthropic's. */
  baseUrl?: string;
  /** Name of the worker's environment variable holding the API key (default ANTHROPIC_API_KEY). */
  apiKeyEnv?: string;
  /** Upper bound on agentic turns (`--max-turns`). */
  maxTurns?: number;
  /** Tool permission rules added to `--allowedTools` (e.g. `Bash(npm test)`). */
  allowedTools?: string[];
  /** Default `acceptEdits`: file edits allowed, anything else needs an allowedTools rule. */
  permissionMode?: ClaudeCodePermissionMode;
  /** Extra, non-secret environment for the CLI (e.g. CLAUDE_CODE_MAX_RETRIES). */
  env?: Record<string, string>;
}

/** How Codex sandboxes the commands the model runs (its `sandbox_mode`). */
export const CODEX_SANDBOX_MODES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
export type CodexSandboxMode = (typeof CODEX_SANDBOX_MODES)[number];

/**
 * Codex (`@openai/codex`), run as `codex exec --json` against an OpenAI Responses API endpoint
 * that the adapter writes into the session's own `config.toml`. As for Claude Code, the key is
 * never configuration: `apiKeyEnv` names the worker's variable that holds it.
 */
export interface CodexAgentConfig extends AgentConfigBase {
  kind: 'codex';
  /** Model name sent to the Responses API (e.g. `gpt-5.5`). */
  model: string;
  /** Path (or command name) of the `codex` binary; default `codex` on the worker's PATH. */
  binary?: string;
  /** Responses API base URL including `/v1` (`<baseUrl>/responses`); default OpenAI's. */
  baseUrl?: string;
  /** Name of the worker's environment variable holding the API key (default OPENAI_API_KEY). */
  apiKeyEnv?: string;
  /**
   * Default `workspace-write`: commands may write in the workspace only, without network.
   * `danger-full-access` only where the worker itself is the sandbox (a container whose
   * kernel refuses Codex's Linux sandbox).
   */
  sandbox?: CodexSandboxMode;
  /** How often Codex itself retries a failed or dropped model request (its default: 4 and 5). */
  maxRetries?: number;
  /** Extra, non-secret environment for the CLI. */
  env?: Record<string, string>;
}

/** What a model costs, in US dollars per million tokens (OpenCode prices its usage with it). */
export interface OpenCodeModelPricing {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/**
 * OpenCode (`opencode-ai`), run as `opencode serve` on 127.0.0.1 and driven over its HTTP API
 * and event stream (`@opencode-ai/sdk`, pinned to the CLI's version). With `baseUrl`, the
 * model's provider is any OpenAI-compatible API; without, one of OpenCode's built-in providers.
 * As for every kind, the key is never configuration: `apiKeyEnv` names the worker's variable.
 */
export interface OpenCodeAgentConfig extends AgentConfigBase {
  kind: 'opencode';
  /** `provider/model` (e.g. `openai/gpt-4.1`, or `<any id>/<model>` with baseUrl). */
  model: string;
  /** Path (or command name) of the `opencode` binary; default `opencode` on the worker's PATH. */
  binary?: string;
  /** OpenAI-compatible API base URL, including `/v1` (the provider becomes a custom one). */
  baseUrl?: string;
  /** Name of the worker's environment variable holding the API key (default OPENAI_API_KEY). */
  apiKeyEnv?: string;
  /** OpenCode agent the prompt goes to (default `build`, OpenCode's coding agent). */
  agent?: string;
  /** Prices to compute the step's cost with (needed with baseUrl: a custom model has none). */
  pricing?: OpenCodeModelPricing;
  /** Extra, non-secret environment for the CLI. */
  env?: Record<string, string>;
}

export type AgentConfig =
  CommandAgentConfig | ClaudeCodeAgentConfig | CodexAgentConfig | OpenCodeAgentConfig;
export type AgentKind = AgentConfig['kind'];

/** Agent names are task queue suffixes (`agent-<name>`): keep them simple. */
export const AGENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** Capability names: short lowercase words (plan, code, review, test, docs, …). */
export const CAPABILITY_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
