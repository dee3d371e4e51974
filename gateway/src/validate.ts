import type { z } from 'zod';
import { fromZodError } from './problem.js';

/** Parses one part of a request (`body`, `query`, `params`), throwing a 400 naming the field. */
export function parseRequestPart<T extends z.ZodType>(
  schema: T,
  value: unknown,
  location: 'body' | 'query' | 'params',
): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw fromZodError(result.error, location);
  return result.data;
}
