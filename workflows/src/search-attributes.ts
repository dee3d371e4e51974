/**
 * The custom search attributes of DESIGN.md. `temporal-config/` registers them on the server;
 * the workflows upsert them and the gateway filters on them.
 */
import { defineSearchAttributeKey } from '@temporalio/common';

export const SessionStatusKey = defineSearchAttributeKey('SessionStatus', 'KEYWORD');
export const AgentNameKey = defineSearchAttributeKey('AgentName', 'KEYWORD');
export const RepositoryKey = defineSearchAttributeKey('Repository', 'KEYWORD');
export const ParentSessionKey = defineSearchAttributeKey('ParentSession', 'KEYWORD');
export const TaskDepthKey = defineSearchAttributeKey('TaskDepth', 'INT');
export const TokensUsedKey = defineSearchAttributeKey('TokensUsed', 'INT');

export const CUSTOM_SEARCH_ATTRIBUTES = [
  SessionStatusKey,
  AgentNameKey,
  RepositoryKey,
  ParentSessionKey,
  TaskDepthKey,
  TokensUsedKey,
] as const;
