// The gemcaen command line: one binary, one file per command.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../errors.js';
export interface CommandModule {
  register(program: Command): void;
}

/**
 * Every command, loaded on demand: a command pulls in only its own dependencies (validate needs no CAEN
 * binding, status no logger), which keeps every invocation's start-up short. Help lists them all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<CommandModule>>> = {
  start: () => import('./start.js'),
  sim: () => import('./sim.js'),
  validate: () => import('./validate.js'),
  crate: () => import('./crate.js'),
  status: () => import('./status.js'),
  set: () => import('./set.js'),
  ieq: () => import('./ieq.js'),
  health: () => import('./health.js'),
  grafana: () => import('./grafana.js'),
  audit: () => import('./audit.js'),
  user: () => import('./user.js'),
};

/** The command named on the command line (the first word that is not an option or the value of -c/--config). */
function invokedCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-c' || a === '--config') i++;
    else if (!a.startsWith('-')) return Object.hasOwn(COMMANDS, a) ? a : undefined;
  }
  return undefined;
}

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
const invoked = invokedCommand(process.argv.slice(2));
for (const name of invoked ? [invoked] : Object.keys(COMMANDS)) (await (COMMANDS[name] as () => Promise<CommandModule>)()).register(program);

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
