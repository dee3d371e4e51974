/**
 * The child process of bundle-in-child.ts: bundles the workflow code (the interceptor modules
 * come as a JSON array in argv[2]), sends it to the parent over IPC and exits.
 */
import { bundleWorkflows } from './workers.js';

const send = (message: unknown) =>
  new Promise<void>((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );

try {
  const modules = JSON.parse(process.argv[2] ?? '[]') as string[];
  const { code } = await bundleWorkflows(modules);
  await send({ code });
} catch (error) {
  await send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
process.disconnect();
