/**
 * Finds an agent's binary the way a shell would: a name without a slash is looked up on PATH,
 * a path is taken as it is. Used to report an agent as unavailable (with what to install)
 * before a step starts, rather than failing with a bare ENOENT.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

export type ExecutableLookup =
  | { found: true; path: string }
  | { found: false; reason: 'not-found' | 'not-executable'; searched: string };

export async function findExecutable(
  command: string,
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<ExecutableLookup> {
  if (command.includes('/')) {
    const path = isAbsolute(command) || !cwd ? command : join(cwd, command);
    return (await isExecutableFile(path))
      ? { found: true, path }
      : {
          found: false,
          reason: (await exists(path)) ? 'not-executable' : 'not-found',
          searched: path,
        };
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const path = join(dir, command);
    if (await isExecutableFile(path)) return { found: true, path };
  }
  return { found: false, reason: 'not-found', searched: `PATH=${env.PATH ?? ''}` };
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
