export { startWorkerService, type WorkerService, type WorkerServiceOptions } from './service.js';
export { installTemporalRuntimeLogger } from './runtime-logger.js';
export { bundleWorkflows, createWorkers, runWorkers } from './workers.js';
