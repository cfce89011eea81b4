// `gemcaen sim`: runs the simulated CAEN mainframe (sim/mainframe) that the drop-in
// build/sim/libcaenhvwrapper.so talks to. Loaded with a dynamic import so src never depends on sim.
import type { Command } from 'commander';

interface SimEntry {
  runSim(argv: string[]): Promise<number>;
}

interface SimOptions {
  crates?: string;
  address?: string;
  control?: string;
  seed?: string;
  randomAddresses?: boolean;
  exitWithStdin?: boolean;
}

export function register(program: Command): void {
  program
    .command('sim')
    .description('run the simulated CAEN SYx527 mainframe for build/sim/libcaenhvwrapper.so (no hardware needed)')
    .option('--crates <file>', 'crates to play (YAML, see config/crates.example.yml); default: one SY4527 "demo" crate')
    .option('--address <ip>', 'IPv4 address of the first crate (default 127.0.0.1); every crate listens on TCP 2527')
    .option('--control <host:port>', 'control API address (default 127.0.0.1:7990; port 0 picks a free port)')
    .option('--seed <n>', 'seed of the simulated noise (default 1)')
    .option('--random-addresses', 'every crate takes a random free loopback address (printed in the ready line)')
    .option('--exit-with-stdin', 'stop when standard input closes (a parent that dies takes the simulator with it)')
    .action(async (opts: SimOptions) => {
      const argv: string[] = [];
      if (opts.crates !== undefined) argv.push('--crates', opts.crates);
      if (opts.address !== undefined) argv.push('--address', opts.address);
      if (opts.control !== undefined) argv.push('--control', opts.control);
      if (opts.seed !== undefined) argv.push('--seed', opts.seed);
      if (opts.randomAddresses) argv.push('--random-addresses');
      if (opts.exitWithStdin) argv.push('--exit-with-stdin');
      const entry = (await import(new URL('../../sim/mainframe/main.js', import.meta.url).href)) as SimEntry;
      process.exitCode = await entry.runSim(argv);
    });
}
