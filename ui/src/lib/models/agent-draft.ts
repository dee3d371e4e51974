/**
 * The agent editor's rules: a flat agent config split into the common fields (a form) and the
 * kind's own fields (a JSON object), and joined back, with an error per field the user can fix.
 */
import type { AgentConfig, FieldError } from '$lib/types/api';
import { fieldName } from '$lib/services/problem';

/** Every kind's fields, as activities' COMMON_AGENT_FIELDS (kept by hand: ui imports nothing). */
export const COMMON_FIELDS = [
  'name',
  'kind',
  'description',
  'capabilities',
  'maxConcurrency',
  'stallTimeoutMs',
] as const;

export type CommonField = (typeof COMMON_FIELDS)[number];
/** Where an error shows: next to a common field, or under the JSON editor. */
export type DraftField = CommonField | 'config';

/** Kinds the console offers; a registry may hold others, which stay editable. */
export const KNOWN_KINDS = ['command', 'claude-code', 'opencode', 'codex'] as const;

const TEMPLATES: Record<string, Record<string, unknown>> = {
  command: { command: ['sh', '-c', 'echo "$ORCHESTRATOR_GOAL"'] },
  'claude-code': { model: 'sonnet', apiKeyEnv: 'ANTHROPIC_API_KEY' },
};

/** What the form edits: everything as the user typed it. */
export interface AgentDraft {
  name: string;
  kind: string;
  description: string;
  /** Comma- or space-separated. */
  capabilities: string;
  maxConcurrency: string;
  stallTimeoutMs: string;
  /** The kind's own fields, as a JSON object. */
  specific: string;
}

function json(value: Record<string, unknown>): string {
  return JSON.stringify(value, null, 2);
}

export function templateFor(kind: string): string {
  return json(TEMPLATES[kind] ?? {});
}

export function emptyDraft(kind = 'command'): AgentDraft {
  return {
    name: '',
    kind,
    description: '',
    capabilities: '',
    maxConcurrency: '',
    stallTimeoutMs: '',
    specific: templateFor(kind),
  };
}

export function draftFromConfig(config: AgentConfig): AgentDraft {
  const specific: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!(COMMON_FIELDS as readonly string[]).includes(key)) specific[key] = value;
  }
  return {
    name: config.name,
    kind: config.kind,
    description: config.description ?? '',
    capabilities: (config.capabilities ?? []).join(', '),
    maxConcurrency: config.maxConcurrency === undefined ? '' : String(config.maxConcurrency),
    stallTimeoutMs: config.stallTimeoutMs === undefined ? '' : String(config.stallTimeoutMs),
    specific: json(specific),
  };
}

/** "line 3, column 7" of a character offset in a text. */
function position(source: string, offset: number): string {
  const before = source.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Explains a JSON syntax error with a line and column when the engine gives an offset. */
export function jsonSyntaxMessage(source: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const offset = /position (\d+)/.exec(message)?.[1];
  const where = offset === undefined ? '' : ` at ${position(source, Number(offset))}`;
  return `Not valid JSON${where}: ${message.replace(/^JSON\.parse: /, '')}`;
}

function optionalCount(
  value: string,
  field: CommonField,
  errors: FieldError[],
  minimum: number,
): number | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const number = Number(trimmed);
  if (!Number.isSafeInteger(number) || number < minimum) {
    errors.push({ path: field, message: `Expected a whole number of at least ${minimum}` });
    return undefined;
  }
  return number;
}

/**
 * The flat config the API takes, or the errors that keep the draft from being one. Only what the
 * console can tell alone is checked here; the gateway checks the rest and names the field.
 */
export function configFromDraft(
  draft: AgentDraft,
): { config: AgentConfig; errors: [] } | { config: null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const name = draft.name.trim();
  const kind = draft.kind.trim();
  if (name === '') errors.push({ path: 'name', message: 'Give the agent a name' });
  if (kind === '') errors.push({ path: 'kind', message: 'Choose the kind of agent' });
  const maxConcurrency = optionalCount(draft.maxConcurrency, 'maxConcurrency', errors, 1);
  const stallTimeoutMs = optionalCount(draft.stallTimeoutMs, 'stallTimeoutMs', errors, 1);

  let specific: Record<string, unknown> = {};
  const source = draft.specific.trim() === '' ? '{}' : draft.specific;
  try {
    const parsed: unknown = JSON.parse(source);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      errors.push({ path: 'config', message: 'Expected a JSON object of the kind’s own fields' });
    } else {
      specific = parsed as Record<string, unknown>;
      const common = Object.keys(specific).filter((key) =>
        (COMMON_FIELDS as readonly string[]).includes(key),
      );
      if (common.length > 0) {
        errors.push({
          path: 'config',
          message: `Set ${common.join(', ')} in the form above, not in the JSON`,
        });
      }
    }
  } catch (error) {
    errors.push({ path: 'config', message: jsonSyntaxMessage(source, error) });
  }
  if (errors.length > 0) return { config: null, errors };

  const capabilities = draft.capabilities
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const config: AgentConfig = { name, kind };
  if (draft.description.trim() !== '') config.description = draft.description.trim();
  if (capabilities.length > 0) config.capabilities = capabilities;
  if (maxConcurrency !== undefined) config.maxConcurrency = maxConcurrency;
  if (stallTimeoutMs !== undefined) config.stallTimeoutMs = stallTimeoutMs;
  return { config: { ...config, ...specific }, errors: [] };
}

/**
 * Sorts field errors (the console's or the gateway's problem+json) to where they show: a common
 * field's own message, or the JSON editor with the field's path, so `body.command` reads
 * "command: …" under the editor.
 */
export function placeErrors(errors: readonly FieldError[]): {
  byField: Partial<Record<DraftField, string[]>>;
  other: string[];
} {
  const byField: Partial<Record<DraftField, string[]>> = {};
  const other: string[] = [];
  for (const error of errors) {
    const name = fieldName(error.path);
    if ((COMMON_FIELDS as readonly string[]).includes(name)) {
      (byField[name as CommonField] ??= []).push(error.message);
    } else if (name === 'config') {
      (byField.config ??= []).push(error.message);
    } else if (name !== '') {
      const path = error.path.replace(/^\$\.?/, '').replace(/^body[./]/, '');
      (byField.config ??= []).push(`${path}: ${error.message}`);
    } else {
      other.push(error.message);
    }
  }
  return { byField, other };
}
