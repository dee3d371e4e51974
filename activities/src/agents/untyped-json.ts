/**
 * Reading the JSON an agent CLI prints without trusting its shape: a field of the wrong type
 * reads as absent (null), so a CLI that changes a field degrades a log line instead of failing
 * a run.
 */
export type JsonObject = Record<string, unknown>;

export function jsonObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : null;
}

export function jsonString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function jsonNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** One line of JSON as an object with a string `type`, or null when it is something else. */
export function parseTypedJsonLine(line: string): (JsonObject & { type: string }) | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return null;
  }
  const object = jsonObject(value);
  return object && typeof object.type === 'string'
    ? (object as JsonObject & { type: string })
    : null;
}
