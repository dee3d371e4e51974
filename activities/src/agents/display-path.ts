import { isAbsolute, relative } from 'node:path';

/** A path as a log line shows it: relative to the workspace when inside it, else as it is. */
export function displayPath(path: string, workspace: string): string {
  if (!isAbsolute(path)) return path;
  const inside = relative(workspace, path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}
