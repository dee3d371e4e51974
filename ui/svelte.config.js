import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: the gateway serves build/ at `/` and answers unknown non-API paths with
    // index.html, so every route is rendered in the browser.
    adapter: adapter({
      pages: 'build',
      assets: 'build',
      fallback: 'index.html',
      precompress: false,
      strict: true,
    }),
    // The fallback page is served at any depth (/sessions/abc), so asset URLs must be absolute.
    paths: { relative: false },
  },
};

export default config;
