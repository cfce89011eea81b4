// What a set point change acts on: the setup's board and channels, checked against the crate.
// GEM setups must sit on an A1515 whose channel names give every electrode a divider resistor.
import type { BoardInfo } from '../caen/types.js';
import type { SetupConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { electrodeAlias, electrodesOf, gemBoardProblem, gemNamesProblem, type Electrode } from '../gem/index.js';
import type { ControlSession } from './session.js';

export interface ControlTarget {
  setup: SetupConfig;
  slot: number;
  board: BoardInfo;
  /** channel → name read from the board, for every setup channel */
  names: ReadonlyMap<number, string>;
  /** GEM setups: the electrodes, in channel order */
  electrodes?: readonly Electrode[];
}

/** Reads the board and the channel names of a setup (TestBdPresence unless `board` is given, one GetChName). */
export function resolveTarget(session: ControlSession, setup: SetupConfig, board?: BoardInfo): ControlTarget {
  const found = board ?? session.boardPresence(setup.slot);
  if (!found) throw new UsageError('EMPTY_SLOT', `setup ${setup.name}: slot ${setup.slot} holds no board; fix BOARD.SLOT`, { details: { slot: setup.slot } });
  if (setup.isGEM) {
    const problem = gemBoardProblem(setup.slot, found.model);
    if (problem) throw new UsageError('GEM_BOARD_NOT_A1515', `setup ${setup.name}: ${problem}`, { details: { slot: setup.slot, model: found.model } });
  }
  const list = session.channelNames(setup.slot, setup.channels).map((n) => n.trim());
  const names = new Map(setup.channels.map((ch, i) => [ch, list[i] ?? '']));
  if (!setup.isGEM) return { setup, slot: setup.slot, board: found, names };
  const resistors = setup.gem?.resistorsMOhm ?? {};
  const problem = gemNamesProblem(setup.slot, setup.channels, list, resistors);
  if (problem) throw new UsageError('GEM_CHANNEL_NAME', `setup ${setup.name}: ${problem}`, { details: { slot: setup.slot, names: list } });
  return { setup, slot: setup.slot, board: found, names, electrodes: electrodesOf(setup.channels, list, resistors) };
}

/** "G3Bot (ch 0 GEM1_G3BOT)" for GEM channels, "ch 3 DRIFT3" otherwise: how messages name a channel. */
export function channelLabel(target: ControlTarget, channel: number): string {
  const name = target.names.get(channel) ?? '';
  if (target.setup.isGEM) return `${electrodeAlias(channel)} (ch ${channel}${name ? ` ${name}` : ''})`;
  return `ch ${channel}${name ? ` ${name}` : ''}`;
}
