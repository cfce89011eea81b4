// The triple-GEM mapping the poller needs (electrode alias, Ieq, board and name checks). The rules
// live in src/gem (shared with the CLI); this file is the poller's narrow view of them.
import { electrodeSuffixOf, ieqMicroAmps as ieqOf, resistorOf } from '../gem/index.js';

export { ELECTRODE_ALIASES, electrodeAlias, gemBoardProblem, gemNamesProblem } from '../gem/index.js';

/**
 * Equivalent divider current in µA: VMon (V) / R (MΩ), R chosen by the channel name's suffix after
 * the last `_` (e.g. `ME0_L1_G3BOT` → G3BOT). Undefined when the suffix has no resistor.
 */
export function ieqMicroAmps(vmon: number, channelName: string, resistorsMOhm: Readonly<Record<string, number>>): number | undefined {
  const suffix = electrodeSuffixOf(channelName);
  const r = suffix === undefined ? undefined : resistorOf(suffix, resistorsMOhm);
  return r === undefined ? undefined : ieqOf(vmon, r);
}
