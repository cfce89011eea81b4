// `gemcaen sim`: the simulated CAEN mainframe process. Plays one or more SYx527 crates, each on TCP
// port 2527 of its own address (as a real crate), for the drop-in libcaenhvwrapper.so; serves the
// control API; prints one machine-readable ready line:
//   gemcaen-sim ready {"crates":{"demo":"127.0.0.1"},"control":"127.0.0.1:7990"}
// Runnable directly: node dist/sim/mainframe/main.js [options]
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ControlServer } from './control-server.js';
import { Crate } from './crate.js';
import { CRATE_PORT, DEFAULT_HOST, defaultCrate, type CrateSpec } from './crate-spec.js';
import { loadCratesFile, parseCrateAddress, parseListen, SimInputError } from './crates-file.js';
import { CrateServer } from './session-server.js';

export const DEFAULT_CONTROL = `${DEFAULT_HOST}:7990`;

export const USAGE = `usage: gemcaen sim [--crates FILE] [--address IP] [--control HOST:PORT] [--seed N] [--random-addresses]
  --crates FILE        crates to play (YAML, see config/crates.example.yml); default: one SY4527 "demo" crate
  --address IP         IPv4 address of the first crate (default ${DEFAULT_HOST}); every crate listens on TCP ${CRATE_PORT}
  --control HOST:PORT  control API address (default ${DEFAULT_CONTROL}; port 0 picks a free port)
  --seed N             seed of the simulated noise (default 1)
  --random-addresses   every crate takes a random free address of 127.100.0.1-127.254.255.254 (tests);
                       an explicit --address still applies to the first
  --exit-with-stdin    stop when standard input closes (a parent that dies takes the simulator with it)`;

export interface SimOptions {
  exitWithStdin?: boolean;
  crates: CrateSpec[];
  control: { host: string; port: number };
  seed: number;
}

export function parseSimArgs(argv: string[]): SimOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        crates: { type: 'string' },
        address: { type: 'string' },
        control: { type: 'string' },
        seed: { type: 'string' },
        'random-addresses': { type: 'boolean' },
        'exit-with-stdin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new SimInputError(`${err instanceof Error ? err.message : String(err)} (see gemcaen sim --help)`);
  }
  if (values.help) return 'help';
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new SimInputError(`--seed: "${values.seed}" is not an integer`);
  const address = values.address === undefined ? undefined : parseCrateAddress(values.address, '--address');
  const control = parseListen(values.control ?? DEFAULT_CONTROL, '--control');
  const crates = values.crates === undefined ? [defaultCrate()] : loadCratesFile(values.crates);
  if (values['random-addresses']) for (let i = 0; i < crates.length; i++) crates[i] = { ...crates[i], address: 'random' };
  if (address) crates[0] = { ...crates[0], address };
  return { crates, control, seed, exitWithStdin: values['exit-with-stdin'] === true };
}

export interface RunningSim {
  crates: Record<string, string>;
  control: string;
  servers: CrateServer[];
  stop(): Promise<void>;
}

/** Starts the crates and the control API; throws SimInputError when an address cannot be used. */
export async function startSim(opts: SimOptions): Promise<RunningSim> {
  const t0 = performance.now();
  const clock = () => (performance.now() - t0) / 1000;
  const servers = opts.crates.map((spec) => new CrateServer(new Crate(spec, opts.seed, clock), spec.address));
  const control = new ControlServer(servers);
  const stop = async () => {
    await control.close().catch(() => undefined);
    await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
  };
  try {
    const crates: Record<string, string> = {};
    for (const s of servers) crates[s.crate.name] = await s.listen();
    const controlAddress = await control.listen(opts.control);
    return { crates, control: controlAddress, servers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The whole `gemcaen sim` command: runs until SIGINT/SIGTERM; 0 on a clean stop, 2 on bad input. */
export async function runSim(argv: string[]): Promise<number> {
  let sim: RunningSim;
  let exitWithStdin = false;
  try {
    const opts = parseSimArgs(argv);
    if (opts === 'help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    exitWithStdin = opts.exitWithStdin === true;
    sim = await startSim(opts);
  } catch (err) {
    if (err instanceof SimInputError) {
      process.stderr.write(`gemcaen sim: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // the handlers go in before the ready line: a parent may signal the moment it reads that line
  let stopped!: () => void;
  const stopRequested = new Promise<void>((resolve) => (stopped = resolve));
  const onSignal = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdin.off('end', onSignal);
    process.stdin.off('close', onSignal);
    if (exitWithStdin) process.stdin.destroy();
    stopped();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (exitWithStdin) {
    process.stdin.on('end', onSignal);
    process.stdin.on('close', onSignal);
    process.stdin.resume();
  }
  process.stdout.write(`gemcaen-sim ready ${JSON.stringify({ crates: sim.crates, control: sim.control })}\n`);
  // the same in words, for a person (the line above is for programs)
  for (const line of describeSim(sim)) process.stdout.write(`${line}\n`);
  await stopRequested;
  await sim.stop();
  return 0;
}

/** What the simulator plays and where, in words. */
export function describeSim(sim: RunningSim): string[] {
  const lines = sim.servers.map((s) => {
    const boards = s.crate
      .crateMap()
      .map((b, slot) => (b.model ? `slot ${slot} ${b.model} (${b.channels} ch)` : ''))
      .filter((b) => b !== '');
    return `simulated ${s.crate.systemName} "${s.crate.name}" on ${sim.crates[s.crate.name]} (TCP 2527): ${boards.join(', ') || 'no boards'}`;
  });
  lines.push(`control API (take a crate down, trip a channel, change a value): http://${sim.control}/ (docs/simulator.md); Ctrl-C stops it`);
  return lines;
}

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) process.exitCode = await runSim(process.argv.slice(2));
