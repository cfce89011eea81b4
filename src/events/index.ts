export { DaemonEvents } from './bus.js';
export type * from './types.js';
