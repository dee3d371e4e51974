import { CUSTOM_SEARCH_ATTRIBUTES } from '@orchestrator/workflows/search-attributes';

/** Search attribute type names as `temporal server start-dev --search-attribute` spells them. */
const CLI_TYPE_NAMES: Record<string, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export function searchAttributeArgs(): string[] {
  return CUSTOM_SEARCH_ATTRIBUTES.flatMap((key) => [
    '--search-attribute',
    `${key.name}=${CLI_TYPE_NAMES[key.type]}`,
  ]);
}

/**
 * Dynamic config for the dev server. The search-attribute cache refresh makes attributes
 * registered at launch usable by the very first workflow (otherwise the first upsert can race
 * the cache and fail).
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, unknown> = {
  'system.forceSearchAttributesCacheRefreshOnRead': true,
};

export function dynamicConfigArgs(): string[] {
  return Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
}

export interface DevServerArgsOptions {
  ip: string;
  port: number;
  /** null runs headless (no Temporal Web). */
  uiPort: number | null;
  dbFilename: string | null;
  namespace: string;
  logLevel?: string;
}

export function devServerArgs(options: DevServerArgsOptions): string[] {
  const args = ['server', 'start-dev', '--ip', options.ip, '--port', String(options.port)];
  if (options.uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  args.push('--log-level', options.logLevel ?? 'warn');
  return [...args, ...searchAttributeArgs(), ...dynamicConfigArgs()];
}

/**
 * The environment the dev server runs with: ours without the OpenTelemetry variables. Those
 * configure the orchestrator's own traces; the Go server reads them too and then refuses to
 * start on any exporter but `otlp` (`OTEL_TRACES_EXPORTER=console` kills it), or sends its
 * internal spans to the user's collector. The embedded server is infrastructure: no traces.
 */
export function devServerEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.startsWith('OTEL_')) continue;
    kept[name] = value;
  }
  return kept;
}
