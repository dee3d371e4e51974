// The `demo` agent: behaves like a small coding agent without needing one. It prints progress
// (with colours, and one warning on stderr) for about three seconds, then records the goal in
// ORCHESTRATOR_NOTES.md so the step's commit has something to show.
// Plain Node ESM with no dependencies: it runs in any workspace, whatever the repository is.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

const goal = process.env.ORCHESTRATOR_GOAL ?? '(no goal given)';
const step = process.env.ORCHESTRATOR_STEP ?? '1';
const session = process.env.ORCHESTRATOR_SESSION_ID ?? 'local';
const delayMs = Number(process.env.DEMO_AGENT_DELAY_MS ?? 200);
const notesFile = 'ORCHESTRATOR_NOTES.md';

const green = (text) => `\u001b[32m${text}\u001b[39m`;
const cyan = (text) => `\u001b[36m${text}\u001b[39m`;
const bold = (text) => `\u001b[1m${text}\u001b[22m`;
const say = (line) => process.stdout.write(`${line}\n`);

const script = [
  bold(`demo agent, session ${session}, step ${step}`),
  `goal: ${goal.split('\n')[0]}`,
  cyan('reading the repository layout'),
  'found package manifest and sources',
  'planning: 3 small edits',
  cyan('thinking about edit 1 of 3'),
  'edit 1: notes header',
  cyan('thinking about edit 2 of 3'),
  'edit 2: goal section',
  cyan('thinking about edit 3 of 3'),
  'edit 3: step log',
  'running checks',
  green('✔ checks passed'),
];

for (const [index, line] of script.entries()) {
  say(line);
  if (index === 4) process.stderr.write('warning: this is a demo agent; it does not edit code\n');
  await sleep(delayMs);
}

const existing = await readFile(notesFile, 'utf8').catch(() => null);
if (existing === null) {
  await writeFile(notesFile, `# Orchestrator notes\n\n## Goal\n\n${goal}\n\n## Steps\n\n`);
}
await appendFile(
  notesFile,
  `- step ${step} (${new Date().toISOString()}): ${goal.split('\n')[0]}\n`,
);
say(`wrote ${notesFile}`);
say(green(`done: recorded the goal in ${notesFile}`));
