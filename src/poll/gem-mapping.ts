// The triple-GEM rules the poller needs (electrode alias, board and name checks). The rules live in
// src/gem (shared with the CLI); this file is the poller's narrow view of them.
export { ELECTRODE_ALIASES, channelIeqMicroAmps, electrodeAlias, gemBoardProblem, gemNamesProblem } from '../gem/index.js';
