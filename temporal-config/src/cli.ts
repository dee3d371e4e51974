/**
 * `npm run temporal:provision`: find or build the Temporal CLI and print its path, so a user
 * (or CI) can pay the one-time build up front.
 */
import { provisionTemporalCli } from './provision.js';

const command = process.argv[2] ?? 'provision';
if (command !== 'provision') {
  console.error(`Unknown command "${command}". Usage: tsx temporal-config/src/cli.ts provision`);
  process.exit(2);
}
try {
  const cli = await provisionTemporalCli();
  console.log(cli.type === 'existing-path' ? `${cli.path} (${cli.source})` : 'sdk-download');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
