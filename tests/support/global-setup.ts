/**
 * Once per `vitest run` of the system tests: provision the Temporal CLI (building it on the
 * first run on a machine, with progress) and check that Postgres and Redis answer, so a missing
 * service fails loudly with the command that starts it instead of skipping.
 */
import type { TestProject } from 'vitest/node';
import { provisionTemporalCli, type TemporalCli } from '@orchestrator/temporal-config';
import { assertPostgres, assertRedis } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalCli: TemporalCli;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const cli = await provisionTemporalCli({ log: (line) => console.log(line) });
  await assertPostgres();
  await assertRedis();
  project.provide('temporalCli', cli);
}
