// `gemcaen grafana --out DIR [setup…]`: writes Grafana provisioning files (datasource, dashboard
// provider, alert rules) and the dashboards for the setups of the config (docs/grafana.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { loadConfigForCli, resolveSetups } from '../config/load.js';
import { grafanaOptionsFrom, type GrafanaCliOptions } from '../grafana/from-config.js';
import { grafanaFiles } from '../grafana/provisioning.js';
import { action } from './command.js';

interface GrafanaCommandOptions extends GrafanaCliOptions {
  config?: string;
  out: string;
}

export function register(program: Command): void {
  program
    .command('grafana')
    .description('write Grafana provisioning files (datasource, dashboards, alert rules) for the setups of the config')
    .argument('[setups...]', 'setups or groups (default: all)')
    .requiredOption('--out <dir>', 'directory to write provisioning/ and dashboards/ into')
    .option('--datasource <name>', 'name of the Grafana datasource (default "gemcaen InfluxDB")')
    .option('--database <name>', 'database Grafana queries (default: the config\'s database or bucket; "gemcaen" for setups writing files)')
    .option('--url <url>', "InfluxDB URL as Grafana reaches it (default: the config's URL)")
    .option('--folder <name>', 'Grafana folder of the dashboards and alert rules (default gemcaen)')
    .option('--dashboards-path <path>', 'where the dashboard JSON files go on the Grafana host (default /var/lib/grafana/dashboards/gemcaen)')
    .option('--imon-fraction <f>', 'alert when IMon is above this fraction of I0Set (default 0.9)', parseFloat)
    .option('--vmon-tolerance <volts>', 'alert when VMon differs from V0Set by more than this while on and not ramping (default 5)', parseFloat)
    .option('--max-temperature <celsius>', 'alert when a board is hotter than this (default 50)', parseFloat)
    .action(
      action((names: string[], _opts: GrafanaCommandOptions, command: Command) => {
        const opts = command.optsWithGlobals<GrafanaCommandOptions>();
        const config = loadConfigForCli(opts);
        const setups = names.length > 0 ? resolveSetups(config, names) : [...config.setups.values()];
        const files = grafanaFiles(grafanaOptionsFrom(setups, config.sinks, opts));
        for (const [path, text] of files) {
          const file = join(opts.out, path);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, text);
          process.stdout.write(`wrote ${file}\n`);
        }
      }),
    );
}
