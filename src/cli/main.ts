// The gemcaen command line: one binary, one file per command.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../errors.js';
import * as start from './start.js';
import * as sim from './sim.js';
import * as validate from './validate.js';
import * as crate from './crate.js';
import * as status from './status.js';
import * as set from './set.js';
import * as ieq from './ieq.js';
import * as health from './health.js';
import * as grafana from './grafana.js';

export interface CommandModule {
  register(program: Command): void;
}

const commands: CommandModule[] = [start, sim, validate, crate, status, set, ieq, health, grafana];

/** the package's version (dist/src/cli/main.js → package.json) */
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('gemcaen')
  .description('Monitor, log and control CAEN SYx527 high-voltage mainframes')
  .version(version, '-V, --version', 'print the version of gemcaen')
  .option('-c, --config <file>', 'configuration file (default: $GEMCAEN_CONFIG or config/config.yml)')
  // a usage mistake is one line naming the fix, like every other gemcaen error (no help dump)
  .configureOutput({
    outputError: (text, write) => write(`gemcaen: ${text.trim().replace(/^error: /, '')} (see gemcaen help)\n`),
  })
  .exitOverride();
for (const c of commands) c.register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander already printed its message (unknown option, missing argument, --help)
    process.exitCode = err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  } else {
    throw err;
  }
}
