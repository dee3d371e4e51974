/** What the worker bundles: every workflow type, by its registered name. */
export { session } from './session.js';
export { task } from './task.js';
