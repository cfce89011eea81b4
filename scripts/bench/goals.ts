// The goals of issue 16 the bench prints its figures against (ratio = measured / goal; at most 1 meets it).
export const GOALS = {
  /** the daemon logging 4 full crates at 1 Hz: mean CPU, % of one core */
  daemonCpuPercent: 3,
  /** … and its resident memory, MiB */
  daemonRssMiB: 150,
  /** a full scan at 0 ms injected latency against calls × a bare GetChParam */
  scanOverBareCall: 1.5,
} as const;
