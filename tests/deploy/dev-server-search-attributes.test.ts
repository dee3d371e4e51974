/**
 * `npm start` keeps its Temporal state in a SQLite file under `.data/`, and `start-dev
 * --search-attribute` only registers attributes when it creates that file. A file from before
 * an attribute was added must still get it, or every session start that sets it is refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startDevServer, type DevServer } from '@orchestrator/temporal-config';
import {
  CUSTOM_SEARCH_ATTRIBUTES,
  SessionTitleKey,
} from '@orchestrator/workflows/search-attributes';

let dir: string | undefined;
let server: DevServer | undefined;

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function registered(address: string): Promise<Record<string, unknown>> {
  const connection = await Connection.connect({ address });
  try {
    const answer = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    return answer.customAttributes ?? {};
  } finally {
    await connection.close();
  }
}

describe('the dev server on an existing SQLite file', () => {
  it('registers a search attribute the file does not have yet', async () => {
    const cli = inject('temporalCli');
    dir = await mkdtemp(join(tmpdir(), 'io-dev-sa-'));
    const dbFilename = join(dir, 'temporal.db');
    const options = { cli, port: await getPort(), uiPort: null, dbFilename };

    // A file from an older version: SessionTitle removed from it.
    server = await startDevServer(options);
    const connection = await Connection.connect({ address: server.address });
    await connection.operatorService.removeSearchAttributes({
      namespace: 'default',
      searchAttributes: [SessionTitleKey.name],
    });
    await connection.close();
    expect(await registered(server.address)).not.toHaveProperty(SessionTitleKey.name);
    await server.stop();

    server = await startDevServer(options);
    const attributes = await registered(server.address);
    for (const key of CUSTOM_SEARCH_ATTRIBUTES)
      expect(attributes, key.name).toHaveProperty(key.name);

    // A start that sets it goes through, and the title is searchable word by word.
    const client = new Client({
      connection: await Connection.connect({ address: server.address }),
    });
    try {
      await client.workflow.start('session', {
        taskQueue: 'nobody-polls-this',
        workflowId: 'session-upgraded',
        args: [],
        typedSearchAttributes: [{ key: SessionTitleKey, value: 'Upgraded title' }],
      });
      await expect
        .poll(async () => (await client.workflow.count(`SessionTitle = 'upgraded'`)).count, {
          timeout: 15_000,
        })
        .toBe(1);
    } finally {
      await client.connection.close();
    }
  });
});
