/**
 * The deploy tools from the command line, built on first use:
 *
 *   node --import tsx deploy/tools/cli.ts provision            build/print every tool
 *   node --import tsx deploy/tools/cli.ts helm template x deploy/helm/industrial-orchestrator
 *   node --import tsx deploy/tools/cli.ts actionlint
 */
import { spawn } from 'node:child_process';
import { provisionGoTool } from './go-tools.js';
import { GO_TOOLS } from './versions.js';

const [command, ...args] = process.argv.slice(2);
const log = (line: string) => console.error(line);

if (command === 'provision') {
  for (const tool of GO_TOOLS) {
    console.log(`${tool.name} ${tool.version}: ${await provisionGoTool(tool, { log })}`);
  }
} else {
  const tool = GO_TOOLS.find((candidate) => candidate.name === command);
  if (!tool) {
    console.error(
      `Usage: deploy/tools/cli.ts provision | ${GO_TOOLS.map((t) => t.name).join(' | ')} [args…]`,
    );
    process.exit(2);
  }
  const binary = await provisionGoTool(tool, { log });
  const child = spawn(binary, args, { stdio: 'inherit' });
  child.once('close', (code) => process.exit(code ?? 1));
}
