// The config module's public face: everything a command or the supervisor needs.
export { configPathFrom, DEFAULT_CONFIG_FILE, loadConfigFile, loadConfigForCli, parseConfig, resolveSetups, setupsByMainframe } from './load.js';
export type { LoadOptions } from './load.js';
export { Secret } from './secret.js';
export * from './types.js';
