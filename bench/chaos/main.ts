/**
 * `npm run chaos`: the chaos run of issue #8 against real processes (see README.md in this
 * folder). Exits 0 when every check passed, 1 otherwise.
 */
import { cpus } from 'node:os';
import { provisionTemporalCli } from '@orchestrator/temporal-config';
import { chaosUsage, parseChaosOptions } from './options.js';
import { formatChaosReport } from './report.js';
import { runChaos } from './scenario.js';

const say = (line: string) => console.log(`[chaos] ${line}`);

try {
  const options = parseChaosOptions(process.argv.slice(2));
  if (!options) {
    console.log(chaosUsage());
    process.exit(0);
  }
  say(
    `${new Date().toISOString()} on ${cpus().length}× ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
  );
  const cli = await provisionTemporalCli({ log: say });
  const report = await runChaos(options, cli, say);
  console.log(formatChaosReport(report));
  process.exit(report.problems.length === 0 ? 0 : 1);
} catch (error) {
  console.error(
    `[chaos] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
}
