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
/**
 * The session's title, for the list's text search. Text (full-text: matched word by word, case
 * and accents ignored), set by the gateway when it starts a run; kept across continue-as-new.
 */
export const SessionTitleKey = defineSearchAttributeKey('SessionTitle', 'TEXT');

export const CUSTOM_SEARCH_ATTRIBUTES = [
  SessionStatusKey,
  AgentNameKey,
  RepositoryKey,
  ParentSessionKey,
  TaskDepthKey,
  TokensUsedKey,
  SessionTitleKey,
] as const;
