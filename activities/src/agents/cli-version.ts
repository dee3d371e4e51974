/**
 * An agent CLI's version, asked once per binary (path and modification time: an upgrade in
 * place is noticed) and reduced to its x.y.z. Availability checks run before every step, and
 * starting a CLI just to print its version costs a noticeable fraction of a second.
 */
import { stat } from 'node:fs/promises';
import { execa } from 'execa';

const versions = new Map<string, Promise<string | null>>();

/**
 * `<binary> --version` with only PATH and `env` in its environment; null when it fails or
 * prints no version number (not the CLI it was configured as).
 */
export async function cliVersion(
  binary: string,
  env: Record<string, string> = {},
): Promise<string | null> {
  const info = await stat(binary);
  const key = `${binary}@${info.mtimeMs}`;
  let version = versions.get(key);
  if (!version) {
    version = execa(binary, ['--version'], {
      reject: false,
      timeout: 15_000,
      stdin: 'ignore',
      extendEnv: false,
      env: { PATH: process.env.PATH ?? '', ...env },
    }).then((result) => {
      const found =
        result.exitCode === 0 ? (/\d+\.\d+\.\d+\S*/.exec(result.stdout)?.[0] ?? null) : null;
      // A failure (often a timeout on a busy machine) is asked again next time, not remembered.
      if (found === null) versions.delete(key);
      return found;
    });
    versions.set(key, version);
  }
  return version;
}
