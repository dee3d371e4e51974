export { startWorkerService, type WorkerService, type WorkerServiceOptions } from './service.js';
export { installTemporalRuntime, type TemporalRuntimeOptions } from './runtime.js';
export { createWorkerMetrics, type WorkerMetrics } from './metrics.js';
export { serveMetrics, type WorkerReadiness } from './metrics-server.js';
export { bundleWorkflows, createWorkers, runWorkers } from './workers.js';
