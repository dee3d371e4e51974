export { startWorkerService, type WorkerService, type WorkerServiceOptions } from './service.js';
export { installTemporalRuntime, type TemporalRuntimeOptions } from './runtime.js';
export { createWorkerMetrics, type WorkerMetrics } from './metrics.js';
export { serveMetrics, type WorkerReadiness } from './metrics-server.js';
export { bundleWorkflows, createOrchestratorWorker } from './workers.js';
export { readAgentPoolSettings, startAgentPool, type AgentPool } from './agent-pool.js';
export { createWorkerLogger } from './logging.js';
export { startWorkerTracing, type WorkerTracing } from './tracing.js';
