/** Small git repositories on disk for workspace and agent tests. */
import { mkdir, mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from '../workspace/git.js';

export async function makeTempDir(prefix: string): Promise<string> {
  // realpath: on macOS the temp dir is behind a symlink, and paths are compared resolved.
  return realpath(await mkdtemp(join(tmpdir(), `${prefix}-`)));
}

/** A repository at `path` with one commit holding `files`; returns HEAD. */
export async function createRepository(
  path: string,
  files: Record<string, string> = { 'README.md': '# sample\n' },
): Promise<string> {
  await mkdir(path, { recursive: true });
  await git(['init', '--quiet', '--initial-branch=main'], { cwd: path });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(path, name)), { recursive: true });
    await writeFile(join(path, name), content);
  }
  await git(['add', '--all'], { cwd: path });
  await git(['commit', '--quiet', '--message', 'initial'], { cwd: path });
  return (await git(['rev-parse', 'HEAD'], { cwd: path })).stdout.trim();
}
