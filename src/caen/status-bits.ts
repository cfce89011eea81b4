// The status-bit tables live in src/status-bits.ts (the supervisor's alarms use them and never
// import src/caen); re-exported here for the binding and the CLI.
export * from '../status-bits.js';
