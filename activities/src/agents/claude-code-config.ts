/**
 * Validation of a `claude-code` agent entry. Strict on purpose: an unknown field is more likely
 * a typo (or an API key pasted where its variable's name belongs) than something to ignore.
 */
import {
  CLAUDE_CODE_PERMISSION_MODES,
  type ClaudeCodeAgentConfig,
  type ClaudeCodePermissionMode,
} from './types.js';

export const DEFAULT_CLAUDE_API_KEY_ENV = 'ANTHROPIC_API_KEY';

const FIELDS = new Set([
  'name',
  'kind',
  'description',
  'model',
  'binary',
  'baseUrl',
  'apiKeyEnv',
  'maxTurns',
  'allowedTools',
  'permissionMode',
  'env',
  'maxConcurrency',
  'stallTimeoutMs',
]);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variable names that carry credentials: those go by reference (apiKeyEnv), never by value. */
const SECRET_NAME = /API_?KEY|AUTH_?TOKEN|ACCESS_?TOKEN|SECRET|PASSWORD|CREDENTIAL/i;
/** Variables the adapter sets itself (isolation, endpoint, key, step identity). */
const RESERVED_ENV = new Set([
  'HOME',
  'TMPDIR',
  'CLAUDE_CONFIG_DIR',
  'CLAUDE_CODE_TMPDIR',
  'ANTHROPIC_BASE_URL',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_STATE_HOME',
]);

export function parseClaudeCodeConfig(
  entry: Record<string, unknown>,
  where: string,
): ClaudeCodeAgentConfig {
  for (const key of Object.keys(entry)) {
    if (key === 'apiKey' || key === 'key' || key === 'token') {
      throw new Error(
        `${where}.${key}: secrets are never part of an agent's configuration. Put the key in ` +
          'the worker\'s environment and name the variable in "apiKeyEnv" ' +
          `(default ${DEFAULT_CLAUDE_API_KEY_ENV}).`,
      );
    }
    if (!FIELDS.has(key)) {
      throw new Error(
        `${where}.${key}: unknown field for a claude-code agent (expected ${[...FIELDS].join(', ')})`,
      );
    }
  }
  if (typeof entry.model !== 'string' || entry.model.trim() === '') {
    throw new Error(`${where}.model: expected a model name or alias (e.g. "sonnet")`);
  }
  optionalString(entry, 'description', where);
  optionalString(entry, 'binary', where, true);
  if (entry.baseUrl !== undefined) {
    const url = typeof entry.baseUrl === 'string' ? URL.parse(entry.baseUrl) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new Error(`${where}.baseUrl: expected an http(s) URL of an Anthropic-compatible API`);
    }
    if (url.username || url.password) {
      throw new Error(`${where}.baseUrl: credentials do not belong in the URL; use apiKeyEnv`);
    }
  }
  if (
    entry.apiKeyEnv !== undefined &&
    (typeof entry.apiKeyEnv !== 'string' || !ENV_NAME.test(entry.apiKeyEnv))
  ) {
    throw new Error(
      `${where}.apiKeyEnv: expected the NAME of an environment variable on the worker (e.g. ` +
        `${DEFAULT_CLAUDE_API_KEY_ENV}), never the key itself`,
    );
  }
  optionalPositiveInteger(entry, 'maxTurns', where);
  optionalPositiveInteger(entry, 'maxConcurrency', where);
  optionalPositiveInteger(entry, 'stallTimeoutMs', where);
  if (
    entry.allowedTools !== undefined &&
    (!Array.isArray(entry.allowedTools) ||
      !entry.allowedTools.every((tool) => typeof tool === 'string' && tool.trim() !== ''))
  ) {
    throw new Error(
      `${where}.allowedTools: expected an array of tool rules (e.g. "Bash(npm test)")`,
    );
  }
  if (
    entry.permissionMode !== undefined &&
    !CLAUDE_CODE_PERMISSION_MODES.includes(entry.permissionMode as ClaudeCodePermissionMode)
  ) {
    throw new Error(
      `${where}.permissionMode: expected one of ${CLAUDE_CODE_PERMISSION_MODES.join(', ')}`,
    );
  }
  if (entry.env !== undefined) parseEnv(entry.env, `${where}.env`);
  return entry as unknown as ClaudeCodeAgentConfig;
}

function parseEnv(value: unknown, where: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected an object of environment variables`);
  }
  for (const [name, content] of Object.entries(value)) {
    if (!ENV_NAME.test(name) || typeof content !== 'string') {
      throw new Error(`${where}.${name}: expected a variable name and a string value`);
    }
    if (RESERVED_ENV.has(name) || name.startsWith('ORCHESTRATOR_')) {
      throw new Error(`${where}.${name}: set by the orchestrator itself (use baseUrl for the API)`);
    }
    if (SECRET_NAME.test(name) || /^sk-/.test(content)) {
      throw new Error(
        `${where}.${name}: looks like a secret. Keep secrets in the worker's environment and ` +
          'name the API key variable in "apiKeyEnv"; they are never stored in configuration.',
      );
    }
  }
}

function optionalString(
  entry: Record<string, unknown>,
  key: string,
  where: string,
  nonEmpty = false,
): void {
  const value = entry[key];
  if (value === undefined) return;
  if (typeof value !== 'string' || (nonEmpty && value.trim() === '')) {
    throw new Error(`${where}.${key}: expected a${nonEmpty ? ' non-empty' : ''} string`);
  }
}

function optionalPositiveInteger(entry: Record<string, unknown>, key: string, where: string) {
  const value = entry[key];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${where}.${key}: expected a positive integer`);
  }
}
