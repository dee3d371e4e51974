import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// In development the console runs on Vite and the gateway on :3000 (override with
// ORCHESTRATOR_GATEWAY_URL); the same-origin relative URLs (/api, /ws) are proxied to it.
const gateway = process.env.ORCHESTRATOR_GATEWAY_URL ?? 'http://127.0.0.1:3000';

// The root `vitest run` loads this file as the `ui` project from the repository root, where the
// SvelteKit plugin would look for svelte.config.js in the wrong folder (it uses the process's
// working directory). Tests only need Svelte's compiler (for .svelte.ts runes) and `$lib`.
const testing = process.env.VITEST !== undefined;
const lib = fileURLToPath(new URL('./src/lib', import.meta.url));
// Components import SvelteKit's `$app/*` modules; under Vitest small stand-ins take their place.
const testAliases = {
  $lib: lib,
  '$app/paths': `${lib}/testing/app-paths.ts`,
  '$app/navigation': `${lib}/testing/app-navigation.ts`,
};

export default defineConfig({
  plugins: testing ? [svelte({ configFile: false })] : [sveltekit()],
  resolve: testing ? { alias: testAliases } : {},
  build: {
    // Rolldown reports slow plugins; SvelteKit's own writeBundle always is, so it is only noise.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    proxy: {
      '/api': { target: gateway, changeOrigin: true },
      '/ws': { target: gateway, ws: true, changeOrigin: true },
    },
  },
  test: {
    name: 'ui',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
