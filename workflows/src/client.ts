/**
 * What clients (the gateway, tests) import to talk to workflows: types, message definitions,
 * search attribute keys and naming rules. Safe to import outside the workflow sandbox.
 */
export * from './types.js';
export * from './messages.js';
export * from './search-attributes.js';
export * from './task-queues.js';
