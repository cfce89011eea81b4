// Triple-GEM: electrodes, divider resistors, Ieq. Pure functions (no CAEN binding, no I/O).
export * from './resistors.js';
export * from './electrodes.js';
export * from './ieq.js';
