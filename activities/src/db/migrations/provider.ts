/**
 * Every migration, listed in code rather than found by scanning a folder: it works the same
 * under tsx, vitest, a bundle or a container image with no source tree. Names sort in the order
 * they run; add new ones at the end and never rename or edit one that has shipped.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { logLines } from './0001_log_lines.js';
import { apiTokens } from './0002_api_tokens.js';
import { agentRegistry } from './0003_agent_registry.js';
import { rolesAndAudit } from './0004_roles_and_audit.js';

export const migrations: Record<string, Migration> = {
  '0001_log_lines': logLines,
  '0002_api_tokens': apiTokens,
  '0003_agent_registry': agentRegistry,
  '0004_roles_and_audit': rolesAndAudit,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
