/**
 * Bundles the workflow code in a short-lived child process and hands the worker only the
 * result (a few MB of JavaScript). webpack and swc, run inside the worker, grow its heap by
 * about 100 MB that V8 keeps for the life of the process; the bench's worker memory figure
 * (1,000 waiting sessions) saw that as most of the gap to its 200 MB target.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';

const CHILD = fileURLToPath(new URL('./bundle-child.ts', import.meta.url));

type ChildAnswer = { code: string } | { error: string };

export function bundleWorkflowsInChild(
  interceptorModules: string[] = [],
): Promise<WorkflowBundleWithSourceMap> {
  return new Promise((resolve, reject) => {
    // The parent's loader flags (tsx) carry over; profiling and inspector flags do not, so a
    // profiled worker does not also profile (or fight over a port with) its bundler.
    const execArgv = withoutProfiling(process.execArgv);
    const child = fork(CHILD, [JSON.stringify(interceptorModules)], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let answer: ChildAnswer | undefined;
    child.once('message', (message) => {
      answer = message as ChildAnswer;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (answer && 'code' in answer) resolve({ code: answer.code, sourceMap: '' });
      else if (answer) reject(new Error(`Bundling the workflow code failed: ${answer.error}`));
      else {
        reject(
          new Error(
            `The workflow bundler process ended (${signal ?? `exit code ${code}`}) without a bundle; its output above says why.`,
          ),
        );
      }
    });
  });
}

/** Flags (and the values of those that take one) that must not reach the bundler process. */
const PROFILING = /^--(cpu-prof|heap-prof|inspect)/;
const TAKES_VALUE =
  /^--(cpu-prof-dir|cpu-prof-name|cpu-prof-interval|heap-prof-dir|heap-prof-name|heap-prof-interval)$/;

function withoutProfiling(args: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (!PROFILING.test(arg)) kept.push(arg);
    else if (TAKES_VALUE.test(arg)) i += 1;
  }
  return kept;
}
