/**
 * Field checks shared by every agent kind's parseConfig: one wording for the same mistake,
 * whichever adapter finds it. Every message names the entry and field at fault.
 */

/** Fields every kind accepts (checked in config-file.ts), besides its own. */
export const COMMON_AGENT_FIELDS = [
  'name',
  'kind',
  'description',
  'capabilities',
  'maxConcurrency',
  'stallTimeoutMs',
] as const;

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A field the kind does not take. Its name is anything a client sent (dots, colons, spaces),
 * so it travels apart from the message: the registry names exactly that field.
 */
export class UnknownFieldError extends Error {
  constructor(
    readonly where: string,
    readonly field: string,
    what: string,
  ) {
    super(`${where}.${field}: ${what}`);
    this.name = 'UnknownFieldError';
  }
}
/** Variable names that carry credentials: those go by reference (apiKeyEnv), never by value. */
const SECRET_NAME = /API_?KEY|AUTH_?TOKEN|ACCESS_?TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/**
 * Rejects unknown fields (more likely a typo, or a key pasted where its variable's name belongs,
 * than something to ignore) and any field that looks like a secret given by value.
 */
export function checkKnownFields(
  entry: Record<string, unknown>,
  kindFields: readonly string[],
  kind: string,
  where: string,
  defaultKeyEnv?: string,
): void {
  const fields = new Set<string>([...COMMON_AGENT_FIELDS, ...kindFields]);
  for (const key of Object.keys(entry)) {
    if (key === 'apiKey' || key === 'key' || key === 'token') {
      throw new Error(
        `${where}.${key}: secrets are never part of an agent's configuration. Put the key in ` +
          'the worker\'s environment and name the variable in "apiKeyEnv"' +
          (defaultKeyEnv ? ` (default ${defaultKeyEnv}).` : '.'),
      );
    }
    if (!fields.has(key)) {
      throw new UnknownFieldError(
        where,
        key,
        `unknown field for a ${kind} agent (expected ${[...fields].join(', ')})`,
      );
    }
  }
}

export function optionalString(
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

export function optionalPositiveInteger(
  entry: Record<string, unknown>,
  key: string,
  where: string,
): void {
  const value = entry[key];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${where}.${key}: expected a positive integer`);
  }
}

export function optionalStringArray(
  entry: Record<string, unknown>,
  key: string,
  where: string,
  example: string,
): void {
  const value = entry[key];
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.trim())) {
    throw new Error(`${where}.${key}: expected an array of non-empty strings (e.g. ${example})`);
  }
}

/** An http(s) base URL without credentials in it (those go through apiKeyEnv). */
export function optionalBaseUrl(entry: Record<string, unknown>, where: string, what: string): void {
  if (entry.baseUrl === undefined) return;
  const url = typeof entry.baseUrl === 'string' ? URL.parse(entry.baseUrl) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`${where}.baseUrl: expected an http(s) URL of ${what}`);
  }
  if (url.username || url.password) {
    throw new Error(`${where}.baseUrl: credentials do not belong in the URL; use apiKeyEnv`);
  }
}

export function optionalKeyEnv(
  entry: Record<string, unknown>,
  where: string,
  defaultKeyEnv: string,
): void {
  const value = entry.apiKeyEnv;
  if (value !== undefined && (typeof value !== 'string' || !ENV_NAME.test(value))) {
    throw new Error(
      `${where}.apiKeyEnv: expected the NAME of an environment variable on the worker (e.g. ` +
        `${defaultKeyEnv}), never the key itself`,
    );
  }
}

/**
 * Extra, non-secret environment for an agent CLI. `reserved` are the variables the adapter sets
 * itself (isolation, endpoint, key); ORCHESTRATOR_* are the step's identity.
 */
export function optionalAgentEnv(
  entry: Record<string, unknown>,
  where: string,
  reserved: ReadonlySet<string>,
): void {
  const value = entry.env;
  if (value === undefined) return;
  const at = `${where}.env`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${at}: expected an object of environment variables`);
  }
  for (const [name, content] of Object.entries(value)) {
    if (!ENV_NAME.test(name)) {
      // The name is not part of the path: it may hold spaces, colons or dots (fuzz seed
      // 1067729717), and the field at fault must stay readable from the message.
      throw new Error(`${at}: ${JSON.stringify(name)} is not a variable name (letters, digits, _)`);
    }
    if (typeof content !== 'string') {
      throw new Error(`${at}.${name}: expected a string value`);
    }
    if (reserved.has(name) || name.startsWith('ORCHESTRATOR_')) {
      throw new Error(`${at}.${name}: set by the orchestrator itself (use baseUrl for the API)`);
    }
    if (SECRET_NAME.test(name) || /^sk-/.test(content)) {
      throw new Error(
        `${at}.${name}: looks like a secret. Keep secrets in the worker's environment and ` +
          'name the API key variable in "apiKeyEnv"; they are never stored in configuration.',
      );
    }
  }
}
