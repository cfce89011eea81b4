// `gemcaen crate <setup> [--json]`: the crate a setup lives on: its boards (crate map) and its system
// properties. The setup's slot is not checked here: this is the command to run when the slot is wrong.
import type { Command } from 'commander';
import type { BoardInfo } from '../caen/types.js';
import type { GemcaenConfig, MainframeConfig } from '../config/types.js';
import { action } from './command.js';
import { loadSetup, withCrate } from './open-setup.js';
import { keyValueTable, table } from './render/format.js';

interface CrateOptions {
  config?: string;
  json?: boolean;
}

export interface CrateReport {
  mainframe: { address: string; systemType: string; linkType: string };
  library: { path: string; release: string };
  /** occupied slots, each with the config's setups that use it */
  slots: (BoardInfo & { setups: string[] })[];
  systemProperties: Record<string, string | number>;
}

export function register(program: Command): void {
  program
    .command('crate')
    .description("show the crate a setup lives on: boards by slot (model, channels, serial, firmware) and system properties")
    .argument('<setup>', 'setup name from the config (its mainframe is shown)')
    .option('--json', 'print the crate as one JSON document')
    .action(
      action(async (name: string, _opts: CrateOptions, command: Command) => {
        const opts = command.optsWithGlobals<CrateOptions>();
        const base = loadSetup(opts, name);
        const report = await withCrate(base, ({ crate, config, mainframe }) => ({
          mainframe: { address: mainframe.address, systemType: mainframe.systemType, linkType: mainframe.linkType },
          library: { path: crate.library.path, release: crate.library.swRelease() },
          slots: crate.crateMap().map((b) => ({ ...b, setups: setupsInSlot(config, mainframe, b.slot) })),
          systemProperties: crate.sysProps(),
        }));
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderCrate(report));
      }),
    );
}

function setupsInSlot(config: GemcaenConfig, mf: MainframeConfig, slot: number): string[] {
  return [...config.setups.values()].filter((s) => s.mainframe === mf.id && s.slot === slot).map((s) => s.name);
}

export function renderCrate(r: CrateReport): string {
  const lines = [
    `${r.mainframe.systemType} at ${r.mainframe.address} over ${r.mainframe.linkType} (library ${r.library.path}, release ${r.library.release}): ` +
      `${r.slots.length} board${r.slots.length === 1 ? '' : 's'}`,
    table(
      ['slot', 'model', 'description', 'channels', 'serial', 'firmware', 'setups'],
      r.slots.map((b) => [String(b.slot), b.model, b.description, String(b.channels), String(b.serial), b.firmware, b.setups.join(', ')]),
    ),
    '',
    'system properties:',
    keyValueTable(Object.entries(r.systemProperties).map(([k, v]) => [k, String(v)] as const)),
  ];
  return `${lines.join('\n')}\n`;
}
