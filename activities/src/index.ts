/**
 * @orchestrator/activities: everything with side effects that workflows call, and the storage
 * adapters (database, log bus) the gateway reads. Workflows import only types from here.
 */
export { createActivities, type Activities, type ActivityDeps } from './create-activities.js';
export type * from './contracts.js';
export { NON_RETRYABLE_AGENT_ERRORS } from './contracts.js';

// Log bus
export type * from './logs/types.js';
export { createLogBus, type CreateLogBusOptions } from './logs/create-log-bus.js';
export { createRedisLogBus, type RedisLogBus, type RedisLogBusOptions } from './logs/redis-bus.js';
export { createMemoryLogBus, type MemoryLogBusOptions } from './logs/memory-bus.js';
export { compareEntryIds, isEntryId, parseEntryId, formatEntryId } from './logs/entry-id.js';
export { createLogWriter, type LogWriter, type LogWriterOptions } from './logs/log-writer.js';
export { truncateLine, MAX_LINE_LENGTH } from './logs/truncate-line.js';

// Database
export {
  openDatabase,
  type OpenDatabaseOptions,
  type OpenedDatabase,
  type DatabaseKind,
} from './db/connect.js';
export { migrate } from './db/migrations/migrate.js';
export type { Database } from './db/schema.js';
export {
  createLogArchive,
  type LogArchive,
  type ArchivedLogLine,
  type ListLogLinesOptions,
} from './db/log-archive.js';
export {
  createApiTokenStore,
  hashApiToken,
  API_TOKEN_PREFIX,
  type ApiToken,
  type ApiTokenStore,
  type CreatedApiToken,
} from './db/api-tokens.js';

// Agents
export type * from './agents/types.js';
export { AGENT_NAME_PATTERN } from './agents/types.js';
export { createAgentRegistry, type AgentRegistry } from './agents/registry.js';
export { defaultAgents } from './agents/defaults.js';
export { readAgentConfigFile, parseAgentConfigs } from './agents/config-file.js';
export type {
  AgentAdapter,
  AgentAvailability,
  AgentRunContext,
  AgentRunResult,
} from './agents/adapter.js';
export { AGENT_KINDS, adapterFor, checkAvailability, isAgentKind } from './agents/adapters.js';
export { eventLines, formatUsage, type AgentEvent, type EventLine } from './agents/events.js';
export { CLAUDE_CODE_PACKAGE } from './agents/claude-code.js';

// Workspace
export { prepareWorkspace, sessionBranch, type WorkspaceSettings } from './workspace/prepare.js';
export { commitWorkspace, type CommitResult } from './workspace/commit.js';

// Process wiring (also importable as `@orchestrator/activities/storage` and `/settings`)
export { openStorage, pgliteDataDir, type Storage } from './storage.js';
export { readStorageSettings, type StorageSettings } from './settings.js';
