// The minimal triple-GEM mapping the poller needs (electrode alias, Ieq). The GEM module (src/gem)
// refines this; the poller only calls these two functions.

/** Electrode alias by channel % 7, as the original wrote it into the `ChannelName` tag. */
export const ELECTRODE_ALIASES = ['G3Bot', 'G3Top', 'G2Bot', 'G2Top', 'G1Bot', 'G1Top', 'Drift'] as const;

export function electrodeAlias(channel: number): string {
  return ELECTRODE_ALIASES[channel % 7];
}

/**
 * Equivalent divider current in µA: VMon (V) / R (MΩ), R chosen by the channel name's suffix after
 * the last `_` (e.g. `ME0_L1_G3BOT` → G3BOT). Undefined when the suffix has no resistor.
 */
export function ieqMicroAmps(vmon: number, channelName: string, resistorsMOhm: Readonly<Record<string, number>>): number | undefined {
  const cut = channelName.lastIndexOf('_');
  const suffix = (cut >= 0 ? channelName.slice(cut + 1) : channelName).trim().toUpperCase();
  const r = resistorsMOhm[suffix];
  if (r === undefined || !(r > 0)) return undefined;
  return vmon / r;
}
