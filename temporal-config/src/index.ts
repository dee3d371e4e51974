export { TEMPORAL_CLI_VERSION } from './version.js';
export { projectCacheDir, temporalCliCacheDir } from './cache-dir.js';
export { findOnPath, isExecutable } from './executables.js';
export { provisionTemporalCli, TemporalCliNotFoundError, type TemporalCli } from './provision.js';
export { startDevServer, type DevServer, type DevServerOptions } from './dev-server.js';
export { registerMissingSearchAttributes } from './search-attribute-registration.js';
export {
  devServerArgs,
  dynamicConfigArgs,
  searchAttributeArgs,
  DEV_SERVER_DYNAMIC_CONFIG,
} from './dev-server-args.js';
