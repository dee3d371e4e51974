import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests beside the code, the console's component/store tests, and the
// tests in tests/ that run real Temporal, Postgres, Redis, HTTP, WebSocket and Chromium.
export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{temporal-config,workflows,activities,worker,gateway}/src/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      'ui',
      {
        test: {
          name: 'system',
          include: ['tests/**/*.test.ts'],
          // The machine has 2 cores and each file starts its own servers: run files one by one.
          fileParallelism: false,
          globalSetup: ['tests/support/global-setup.ts'],
          setupFiles: ['tests/support/temporal-runtime.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
