import type { GatewaySocket } from '../clients/gateway-socket.js';
import type { Progress } from '../core/progress.js';
import type { BenchOptions } from '../options.js';
import type { BenchStack } from '../stack/bench-stack.js';

/** What every figure gets: the running stack, the options, progress, and one /ws client. */
export interface BenchContext {
  stack: BenchStack;
  options: BenchOptions;
  progress: Progress;
  /** A socket for figures that watch sessions one at a time or a few dozen at once. */
  socket: GatewaySocket;
}
