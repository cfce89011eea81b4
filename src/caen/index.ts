// The CAEN HV wrapper binding: what the rest of gemcaen (poll, workers, CLI) imports.
export * from './codes.js';
export * from './caen-error.js';
export * from './status-bits.js';
export * from './decode.js';
export type * from './types.js';
export { findCaenLibrary, librarySearchDirs, STANDARD_LIBRARY_DIRS, libraryVersion, compareVersions } from './discover.js';
export { CaenLibrary } from './library.js';
export { CaenMainframe, listText } from './mainframe.js';
export { initArg } from './address.js';
