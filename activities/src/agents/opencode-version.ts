/**
 * The installed OpenCode's version. `opencode --version` starts the whole CLI (a 180 MB
 * executable): a second on an idle machine, far longer on a loaded one, before every step. An
 * npm install (`opencode-ai`, global or in a prefix) puts the executable in the package's
 * `bin/`, so its package.json says the version without running anything; other installs (the
 * install script, Homebrew) are asked with `--version`.
 */
import { readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cliVersion } from './cli-version.js';
import { OPENCODE_PACKAGE } from './opencode-config.js';

export async function opencodeVersion(binary: string): Promise<string | null> {
  return (await npmPackageVersion(binary)) ?? cliVersion(binary);
}

/** The version of the `opencode-ai` package whose `bin/` holds the executable, if it is one. */
async function npmPackageVersion(binary: string): Promise<string | null> {
  try {
    const manifest = join(dirname(dirname(await realpath(binary))), 'package.json');
    const json = JSON.parse(await readFile(manifest, 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    return json.name === OPENCODE_PACKAGE && typeof json.version === 'string' ? json.version : null;
  } catch {
    return null;
  }
}
