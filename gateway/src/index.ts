export { createGateway, GATEWAY_VERSION, type Gateway, type GatewayDeps } from './app.js';
export { readGatewayConfig, type GatewayConfig } from './config.js';
export { startGatewayService, type GatewayService } from './service.js';
export { createMetrics, type GatewayMetrics } from './metrics.js';
