/**
 * The real agent CLIs for the agent tests (Claude Code, OpenCode, Codex). They are not
 * dependencies of the orchestrator: the tests install a pinned version of each once per machine
 * into `${XDG_CACHE_HOME:-~/.cache}/industrial-orchestrator/agent-clis/<name>-<version>/`
 * (npm install --prefix), print what they do, and reuse it on later runs.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface AgentCliSpec {
  /** Folder name in the cache and name in messages (e.g. `opencode`). */
  name: string;
  /** npm package (e.g. `opencode-ai`). */
  package: string;
  /** Exact version: the tests are written against it. */
  version: string;
  /** Executable the package puts in node_modules/.bin (e.g. `opencode`). */
  bin: string;
  /**
   * Called when the freshly installed binary does not answer its version, with the package's
   * directory: a package whose native binary comes from a postinstall script npm skipped can
   * run it here.
   */
  repair?(packageDir: string): Promise<void>;
}

export interface InstalledAgentCli {
  binary: string;
  version: string;
  /** The install prefix (binary is in node_modules/.bin). */
  dir: string;
}

export function agentClisDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'industrial-orchestrator', 'agent-clis');
}

/** Concurrent callers in one process (two test files in a worker) share one install. */
const installs = new Map<string, Promise<InstalledAgentCli>>();

export function ensureAgentCli(
  spec: AgentCliSpec,
  log: (line: string) => void = (line) => console.log(line),
): Promise<InstalledAgentCli> {
  const key = `${spec.name}@${spec.version}`;
  let install = installs.get(key);
  if (!install) {
    install = installAgentCli(spec, log);
    installs.set(key, install);
    install.catch(() => installs.delete(key));
  }
  return install;
}

async function installAgentCli(
  spec: AgentCliSpec,
  log: (line: string) => void,
): Promise<InstalledAgentCli> {
  const what = `${spec.package}@${spec.version}`;
  const dir = join(agentClisDir(), `${spec.name}-${spec.version}`);
  const binary = join(dir, 'node_modules', '.bin', spec.bin);
  if (existsSync(binary) && (await cliVersionOf(binary)) === spec.version) {
    return { binary, version: spec.version, dir };
  }
  log(`Installing ${what} (test setup, once per machine) into ${dir} …`);
  const started = Date.now();
  // Into a fresh directory first, then renamed: an interrupted install never looks complete.
  const staging = `${dir}.installing-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const install = await execa(
    'npm',
    [
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      what,
    ],
    { cwd: staging, reject: false, stdin: 'ignore', all: true },
  );
  if (install.exitCode !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(
      `npm install ${what} failed (exit ${install.exitCode}). The agent tests need the npm ` +
        `registry once to install the CLI.\n${install.all ?? ''}`,
    );
  }
  const staged = join(staging, 'node_modules', '.bin', spec.bin);
  if ((await cliVersionOf(staged)) !== spec.version && spec.repair) {
    await spec.repair(join(staging, 'node_modules', ...spec.package.split('/')));
  }
  const version = await cliVersionOf(staged);
  if (version !== spec.version) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(
      `${staged} --version answered ${version ?? 'nothing'}, expected ${spec.version}: the ` +
        'native binary of this platform did not install (optional dependencies disabled?).',
    );
  }
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  log(`Installed ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { binary, version, dir };
}

/** `<binary> --version`, reduced to its x.y.z; null when it does not answer. */
export async function cliVersionOf(binary: string): Promise<string | null> {
  const home = join(agentClisDir(), '.version-home');
  await mkdir(home, { recursive: true });
  const result = await execa(binary, ['--version'], {
    reject: false,
    timeout: 30_000,
    stdin: 'ignore',
    extendEnv: false,
    // A throwaway HOME: a version check must not create config in the user's.
    env: { PATH: process.env.PATH ?? '', HOME: home },
  });
  return result.exitCode === 0 ? (/\d+\.\d+\.\d+/.exec(result.stdout)?.[0] ?? null) : null;
}
