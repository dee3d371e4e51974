/**
 * The environment an agent CLI starts with is built, not inherited: the worker's own variables
 * (database URLs, tokens, other agents' keys) stay out of reach of the model's shell commands.
 * What it gets from the worker is the list below; where it keeps state is its step's state dir.
 */
import { join } from 'node:path';
import type { AgentStateDir } from './agent-state-dir.js';

/** What an agent CLI may see of the worker's environment: paths, locale, proxies, CAs. */
export const PASSED_THROUGH_ENV = [
  'PATH',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'USER',
  'LOGNAME',
  'SHELL',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
] as const;

export function passedThroughEnvironment(workerEnv: NodeJS.ProcessEnv): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const name of PASSED_THROUGH_ENV) {
    const value = workerEnv[name];
    if (value !== undefined) passed[name] = value;
  }
  return passed;
}

/** HOME, the XDG directories and TMPDIR, all inside the step's state dir. */
export function stateDirEnvironment(state: AgentStateDir): Record<string, string> {
  return {
    HOME: state.home,
    XDG_CONFIG_HOME: join(state.home, '.config'),
    XDG_CACHE_HOME: join(state.home, '.cache'),
    XDG_DATA_HOME: join(state.home, '.local', 'share'),
    XDG_STATE_HOME: join(state.home, '.local', 'state'),
    TMPDIR: state.tmp,
  };
}
