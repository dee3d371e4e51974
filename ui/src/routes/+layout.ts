// A single-page app: the gateway serves index.html for every console path and the browser renders.
export const ssr = false;
export const prerender = false;
