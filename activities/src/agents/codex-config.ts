/**
 * Validation of a `codex` agent entry. Strict on purpose, like every kind: an unknown field is
 * more likely a typo (or an API key pasted where its variable's name belongs) than something
 * to ignore.
 */
import {
  checkKnownFields,
  optionalAgentEnv,
  optionalBaseUrl,
  optionalKeyEnv,
  optionalString,
} from './config-fields.js';
import { CODEX_SANDBOX_MODES, type CodexAgentConfig, type CodexSandboxMode } from './types.js';

export const DEFAULT_CODEX_API_KEY_ENV = 'OPENAI_API_KEY';

const FIELDS = ['model', 'binary', 'baseUrl', 'apiKeyEnv', 'sandbox', 'maxRetries', 'env'];

/**
 * Variables the adapter sets itself (isolation, the key under the name its config.toml gives
 * the provider) or that would change where Codex sends requests behind the config's back.
 */
export const CODEX_RESERVED_ENV = new Set([
  'HOME',
  'TMPDIR',
  'CODEX_HOME',
  'CODEX_API_KEY',
  'CODEX_PROVIDER_API_KEY',
  'OPENAI_BASE_URL',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_STATE_HOME',
]);

export function parseCodexConfig(entry: Record<string, unknown>, where: string): CodexAgentConfig {
  checkKnownFields(entry, FIELDS, 'codex', where, DEFAULT_CODEX_API_KEY_ENV);
  optionalString(entry, 'binary', where, true);
  optionalBaseUrl(entry, where, 'an OpenAI Responses API, including /v1');
  optionalKeyEnv(entry, where, DEFAULT_CODEX_API_KEY_ENV);
  if (
    entry.sandbox !== undefined &&
    !CODEX_SANDBOX_MODES.includes(entry.sandbox as CodexSandboxMode)
  ) {
    throw new Error(`${where}.sandbox: expected one of ${CODEX_SANDBOX_MODES.join(', ')}`);
  }
  const retries = entry.maxRetries;
  if (
    retries !== undefined &&
    (typeof retries !== 'number' || !Number.isSafeInteger(retries) || retries < 0)
  ) {
    throw new Error(`${where}.maxRetries: expected a non-negative integer (0 turns them off)`);
  }
  optionalAgentEnv(entry, where, CODEX_RESERVED_ENV);
  if (typeof entry.model !== 'string' || entry.model.trim() === '') {
    throw new Error(`${where}.model: expected a model name (e.g. "gpt-5.5")`);
  }
  return entry as unknown as CodexAgentConfig;
}
