import type { Logger } from 'pino';
import { createMemoryLogBus } from './memory-bus.js';
import { createRedisLogBus } from './redis-bus.js';
import type { LogBus } from './types.js';

export interface CreateLogBusOptions {
  /** Redis URL; unset means the in-process bus (embedded mode: gateway and worker share it). */
  redisUrl?: string | null;
  keyPrefix?: string;
  logger?: Logger;
}

export function createLogBus(options: CreateLogBusOptions = {}): LogBus {
  if (options.redisUrl) {
    return createRedisLogBus({
      url: options.redisUrl,
      ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }
  return createMemoryLogBus(options.logger ? { logger: options.logger } : {});
}
