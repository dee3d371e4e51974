/**
 * Validation of a `claude-code` agent entry. Strict on purpose: an unknown field is more likely
 * a typo (or an API key pasted where its variable's name belongs) than something to ignore.
 */
import {
  checkKnownFields,
  optionalAgentEnv,
  optionalBaseUrl,
  optionalKeyEnv,
  optionalPositiveInteger,
  optionalString,
  optionalStringArray,
} from './config-fields.js';
import {
  CLAUDE_CODE_PERMISSION_MODES,
  type ClaudeCodeAgentConfig,
  type ClaudeCodePermissionMode,
} from './types.js';

export const DEFAULT_CLAUDE_API_KEY_ENV = 'ANTHROPIC_API_KEY';

const FIELDS = [
  'model',
  'binary',
  'baseUrl',
  'apiKeyEnv',
  'maxTurns',
  'allowedTools',
  'permissionMode',
  'env',
];

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
  checkKnownFields(entry, FIELDS, 'claude-code', where, DEFAULT_CLAUDE_API_KEY_ENV);
  optionalString(entry, 'binary', where, true);
  optionalBaseUrl(entry, where, 'an Anthropic-compatible API');
  optionalKeyEnv(entry, where, DEFAULT_CLAUDE_API_KEY_ENV);
  optionalPositiveInteger(entry, 'maxTurns', where);
  optionalStringArray(entry, 'allowedTools', where, '"Bash(npm test)"');
  if (
    entry.permissionMode !== undefined &&
    !CLAUDE_CODE_PERMISSION_MODES.includes(entry.permissionMode as ClaudeCodePermissionMode)
  ) {
    throw new Error(
      `${where}.permissionMode: expected one of ${CLAUDE_CODE_PERMISSION_MODES.join(', ')}`,
    );
  }
  optionalAgentEnv(entry, where, RESERVED_ENV);
  if (typeof entry.model !== 'string' || entry.model.trim() === '') {
    throw new Error(`${where}.model: expected a model name or alias (e.g. "sonnet")`);
  }
  return entry as unknown as ClaudeCodeAgentConfig;
}
