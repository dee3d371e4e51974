/**
 * The `config.toml` a Codex run reads from its own CODEX_HOME (in the step's state dir, see
 * agent-state-dir.ts). Codex takes its model provider from configuration only, so this is where
 * the agent's endpoint, model and sandbox go; the key itself never does: the provider names the
 * environment variable (`env_key`) that the adapter fills from the worker's apiKeyEnv.
 *
 * Beyond the provider, it turns off what a worker has no use for and what would reach outside
 * 127.0.0.1 or the configured endpoint: the curated plugin sync (GitHub and chatgpt.com at every
 * start), analytics and the update check. The model's shell commands inherit the CLI's
 * environment minus anything that looks like a credential (Codex's default excludes, which only
 * apply when asked for) and minus the provider key by name. The run passes `--strict-config`,
 * so a Codex that no longer knows one of these keys fails with a clear error instead of
 * silently ignoring, say, the key's exclusion.
 */
import type { CodexAgentConfig } from './types.js';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The provider id in config.toml (any name but Codex's built-in `openai`, `ollama`, …). */
export const CODEX_PROVIDER_ID = 'orchestrator';
/** The variable the CLI reads the key from (the provider's `env_key`). */
export const CODEX_KEY_VARIABLE = 'CODEX_PROVIDER_API_KEY';

export function codexConfigToml(config: CodexAgentConfig): string {
  const provider: Array<[string, TomlValue]> = [
    ['name', config.name],
    ['base_url', config.baseUrl ?? DEFAULT_OPENAI_BASE_URL],
    ['env_key', CODEX_KEY_VARIABLE],
    // Codex 0.169 speaks only the Responses API; saying so keeps older CLIs off Chat Completions.
    ['wire_api', 'responses'],
    ...(config.maxRetries === undefined
      ? []
      : ([
          ['request_max_retries', config.maxRetries],
          ['stream_max_retries', config.maxRetries],
        ] as Array<[string, TomlValue]>)),
  ];
  return [
    `# Written by the orchestrator for agent "${config.name}" at every run; edits are lost.`,
    table(null, [
      ['model', config.model],
      ['model_provider', CODEX_PROVIDER_ID],
      ['sandbox_mode', config.sandbox ?? 'workspace-write'],
      // Nobody is there to approve anything: commands run inside the sandbox or fail.
      ['approval_policy', 'never'],
      ['check_for_update_on_startup', false],
    ]),
    table('analytics', [['enabled', false]]),
    table('features', [['plugins', false]]),
    table('shell_environment_policy', [
      ['inherit', 'all'],
      ['ignore_default_excludes', false],
      ['exclude', [CODEX_KEY_VARIABLE]],
    ]),
    table(`model_providers.${CODEX_PROVIDER_ID}`, provider),
  ].join('\n');
}

type TomlValue = string | number | boolean | string[];

function table(name: string | null, entries: Array<[string, TomlValue]>): string {
  const lines = entries.map(([key, value]) => `${key} = ${tomlValue(value)}`);
  return `${name ? `[${name}]\n` : ''}${lines.join('\n')}\n`;
}

function tomlValue(value: TomlValue): string {
  if (Array.isArray(value)) return `[${value.map(tomlString).join(', ')}]`;
  return typeof value === 'string' ? tomlString(value) : String(value);
}

/**
 * TOML basic strings take the escapes JSON produces (\" \\ \n \uXXXX …); JSON leaves DEL
 * as it is, which TOML does not allow raw.
 */
export function tomlString(value: string): string {
  return JSON.stringify(value).replaceAll('\u007f', '\\u007f');
}
