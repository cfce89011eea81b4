// The electrodes of one GEM setup as found on its board: which board is allowed, which channel is
// which electrode, and which divider resistor it has. Pure functions over what the crate answered
// (board model, channel names), shared by the daemon (poller) and the CLI (set, ieq).
import { ELECTRODE_SUFFIXES, electrodeAlias, electrodeSuffixOf, resistorOf, type ElectrodeSuffix } from './resistors.js';

/** Board models that carry triple-GEM layers: the model name must contain this (the original's rule). */
export const GEM_BOARD_MODEL = 'A1515';

export interface Electrode {
  channel: number;
  /** channel name read from the board, e.g. GEM1_G3BOT */
  name: string;
  /** G3BOT … G0BOT, from the name */
  suffix: ElectrodeSuffix;
  /** G3Bot … Drift, from channel % 7 (the `ChannelName` tag) */
  alias: string;
  /** divider resistor, MOhm */
  resistorMOhm: number;
}

/** Why a GEM setup cannot use the board in `slot`, or undefined when it is an A1515. */
export function gemBoardProblem(slot: number, model: string | undefined): string | undefined {
  if (!model) return `no board in slot ${slot}: a GEM setup needs an A1515 there (check BOARD.SLOT)`;
  if (model.toUpperCase().includes(GEM_BOARD_MODEL)) return undefined;
  return `slot ${slot} holds a ${model}, not an A1515: a GEM setup needs a triple-GEM board (fix BOARD.SLOT or isGEMDetector)`;
}

/**
 * Why the channel names of a GEM setup do not give every electrode a divider resistor, or undefined
 * when they do. Lists the names found and the suffixes expected.
 */
export function gemNamesProblem(
  slot: number,
  channels: readonly number[],
  names: readonly string[],
  resistorsMOhm: Readonly<Record<string, number>>,
): string | undefined {
  const bad: string[] = [];
  channels.forEach((ch, i) => {
    const name = (names[i] ?? '').trim();
    const suffix = electrodeSuffixOf(name);
    if (suffix === undefined) bad.push(`${ch} "${name}"`);
    else if (resistorOf(suffix, resistorsMOhm) === undefined) bad.push(`${ch} "${name}" (no resistor for ${suffix} in DividerResistorsMOhm)`);
  });
  if (bad.length === 0) return undefined;
  const found = channels.map((ch, i) => `${ch}=${(names[i] ?? '').trim() || '""'}`).join(', ');
  return (
    `slot ${slot}: channel${bad.length > 1 ? 's' : ''} ${bad.join(', ')} ${bad.length > 1 ? 'have' : 'has'} no electrode suffix; ` +
    `names found: ${found}; expected names ending in _${ELECTRODE_SUFFIXES.join(', _')} ` +
    `(rename the channels on the crate, or fix BOARD.SLOT/LAYER)`
  );
}

/** The electrodes of a GEM setup. Call `gemNamesProblem` first: a channel without a resistor is left out. */
export function electrodesOf(channels: readonly number[], names: readonly string[], resistorsMOhm: Readonly<Record<string, number>>): Electrode[] {
  const out: Electrode[] = [];
  channels.forEach((channel, i) => {
    const name = (names[i] ?? '').trim();
    const suffix = electrodeSuffixOf(name);
    const r = suffix === undefined ? undefined : resistorOf(suffix, resistorsMOhm);
    if (suffix === undefined || r === undefined) return;
    out.push({ channel, name, suffix, alias: electrodeAlias(channel), resistorMOhm: r });
  });
  return out;
}
