// Triple-GEM electrodes of one layer on an A1515 board and their divider resistors,
// as in the original gemcaen (GEMCAEN-ORIGINAL.md, "Triple-GEM specifics").

/** Channel-name suffixes (after the last `_`) that select an electrode's divider resistor. */
export const ELECTRODE_SUFFIXES = ['G3BOT', 'G3TOP', 'G2BOT', 'G2TOP', 'G1BOT', 'G1TOP', 'G0BOT'] as const;
export type ElectrodeSuffix = (typeof ELECTRODE_SUFFIXES)[number];

/** `ChannelName` tag the original wrote for channel % 7 (kept so existing dashboards keep working). */
export const ELECTRODE_ALIASES = ['G3Bot', 'G3Top', 'G2Bot', 'G2Top', 'G1Bot', 'G1Top', 'Drift'] as const;

/** The original's divider resistors in MOhm; Ieq (uA) = VMon (V) / R (MOhm). */
export const DEFAULT_RESISTORS_MOHM: Readonly<Record<ElectrodeSuffix, number>> = Object.freeze({
  G3BOT: 0.625007477,
  G3TOP: 0.525001495,
  G2BOT: 0.874992523,
  G2TOP: 0.550002991,
  G1BOT: 0.438004665,
  G1TOP: 0.560006579,
  G0BOT: 1.125007477,
});

/** Channels of a GEM layer on an A1515: layer 1 is 0-6, layer 2 is 7-13. */
export function layerChannels(layer: 1 | 2): number[] {
  const first = (layer - 1) * ELECTRODE_SUFFIXES.length;
  return ELECTRODE_SUFFIXES.map((_, i) => first + i);
}

/** The electrode suffix of a channel name (`ME0_L1_G3BOT` → `G3BOT`), or undefined when it names no electrode. */
export function electrodeSuffixOf(channelName: string): ElectrodeSuffix | undefined {
  const suffix = channelName.slice(channelName.lastIndexOf('_') + 1).trim().toUpperCase();
  return (ELECTRODE_SUFFIXES as readonly string[]).includes(suffix) ? (suffix as ElectrodeSuffix) : undefined;
}

/** The alias of a channel's electrode (`channel % 7`): G3Bot … Drift. */
export function electrodeAlias(channel: number): string {
  return ELECTRODE_ALIASES[((channel % 7) + 7) % 7] as string;
}

/** The suffix the original's naming convention expects at a channel's position (`channel % 7`). */
export function expectedSuffix(channel: number): ElectrodeSuffix {
  return ELECTRODE_SUFFIXES[((channel % 7) + 7) % 7] as ElectrodeSuffix;
}

/** The divider resistor (MOhm) of a suffix in a setup's table, or undefined when it has none (or not > 0). */
export function resistorOf(suffix: string, resistorsMOhm: Readonly<Record<string, number>>): number | undefined {
  const r = resistorsMOhm[suffix];
  return r !== undefined && Number.isFinite(r) && r > 0 ? r : undefined;
}
