/**
 * The embedded Temporal dev server (what `npm start` and the tests run) must not pick up the
 * orchestrator's OpenTelemetry settings: the Go server reads the same `OTEL_*` variables and
 * refuses to start on any exporter but `otlp`, so `OTEL_TRACES_EXPORTER=console npm start`
 * used to die before anything ran.
 */
import { readFileSync } from 'node:fs';
import getPort from 'get-port';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startDevServer, type DevServer } from '@orchestrator/temporal-config';

const OTEL = {
  OTEL_TRACES_EXPORTER: 'console',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
  OTEL_SERVICE_NAME: 'io-dev-server-test',
};

let server: DevServer | undefined;
const saved = new Map<string, string | undefined>();

afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  saved.clear();
});

describe('the embedded Temporal dev server', () => {
  it('starts while the orchestrator traces to the console, without the OTEL_ variables', async () => {
    for (const [name, value] of Object.entries(OTEL)) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
    const cli = inject('temporalCli');
    if (cli.type !== 'existing-path') {
      throw new Error('This test needs the Temporal CLI binary: npm run temporal:provision');
    }
    server = await startDevServer({ cli, port: await getPort(), uiPort: null, dbFilename: null });
    expect(server.pid).toBeTypeOf('number');
    const environ = readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0');
    expect(environ.filter((entry) => entry.startsWith('OTEL_'))).toEqual([]);
    // The rest of the environment still reaches it (PATH, HOME: the CLI needs them).
    expect(environ.some((entry) => entry.startsWith('PATH='))).toBe(true);
  });
});
