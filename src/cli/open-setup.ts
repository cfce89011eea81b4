// The one way a CLI command reaches a setup's crate: config → setup → mainframe → library → InitSystem,
// the board check, the command's work, and DeinitSystem in `finally` (also on error and Ctrl-C).
// The password is revealed here only, in the InitSystem call.
import { CaenError } from '../caen/caen-error.js';
import { CAENHVResult, resultLabel } from '../caen/codes.js';
import { initArg } from '../caen/address.js';
import { explainLoginFailure } from '../caen/reachable.js';
import { findCaenLibrary } from '../caen/discover.js';
import { CaenLibrary } from '../caen/library.js';
import { CaenMainframe, listText } from '../caen/mainframe.js';
import type { BoardInfo } from '../caen/types.js';
import { loadConfigForCli } from '../config/load.js';
import type { GemcaenConfig, MainframeConfig, SetupConfig } from '../config/types.js';
import { GemcaenError, UsageError } from '../errors.js';

/** What a command's callback gets: the loaded config, the setup, its mainframe and the open crate. */
export interface CrateContext {
  config: GemcaenConfig;
  setup: SetupConfig;
  mainframe: MainframeConfig;
  crate: CaenMainframe;
  /** aborted on SIGINT/SIGTERM: an async callback (a confirmation prompt) should give up */
  signal: AbortSignal;
}

/** A CrateContext whose setup slot is known to hold a board with every setup channel. */
export interface SetupCrateContext extends CrateContext {
  /** the board in the setup's slot (TestBdPresence) */
  board: BoardInfo;
}

/** The global options every command gets from `command.optsWithGlobals()`. */
export interface GlobalOptions {
  config?: string;
}

/** The config, one setup by name (UNKNOWN_SETUP lists the setups) and its mainframe. Makes no wrapper call. */
export function loadSetup(opts: GlobalOptions, setupName: string): { config: GemcaenConfig; setup: SetupConfig; mainframe: MainframeConfig } {
  const config = loadConfigForCli(opts);
  const setup = config.setups.get(setupName);
  if (!setup) {
    const group = config.groups.get(setupName);
    const setups = [...config.setups.keys()].join(', ') || 'none';
    if (group) {
      throw new UsageError('GROUP_NOT_SETUP', `${setupName} is a group (${group.join(', ')}); name one setup of ${config.file}: ${setups}`, {
        details: { group: setupName, members: [...group] },
      });
    }
    throw new UsageError('UNKNOWN_SETUP', `unknown setup ${setupName} in ${config.file}; setups: ${setups}`, { details: { unknown: [setupName] } });
  }
  const mainframe = config.mainframes.get(setup.mainframe);
  if (!mainframe) throw new GemcaenError('INTERNAL', `setup ${setup.name} names mainframe ${setup.mainframe}, which the config does not define`);
  return { config, setup, mainframe };
}

/** What a simulated crate on this machine needs, for the unreachable message. */
function simulatorHint(mf: MainframeConfig): string {
  if (mf.simulated) return '; this is the simulated demo crate, which runs only while `npm start -- demo` or `gemcaen sim` is running';
  return /^(127\.|localhost)/.test(mf.address) ? '; a simulated crate on this machine runs only while `gemcaen sim` (or `npm start` of a SIMULATED setup) is running' : '';
}

/**
 * The user-facing line for a failed InitSystem, after explainLoginFailure(): CRATE_UNREACHABLE (exit 1)
 * when nothing answers on TCP 2527 or the connection was lost, CRATE_LOGIN_REFUSED (exit 2) when the
 * crate answers but refuses the login (credentials, or a crate still booting).
 */
export function connectFailure(err: unknown, mf: MainframeConfig, setupName: string): unknown {
  const what = `${mf.systemType} at ${mf.address}`;
  if (err instanceof GemcaenError && err.code === 'CRATE_UNREACHABLE') {
    const cause = err.cause instanceof CaenError ? `, InitSystem ${resultLabel(err.cause.result)}` : '';
    return new GemcaenError(
      'CRATE_UNREACHABLE',
      `${err.message} (${mf.systemType}${cause}) Check CAENHV_BOARD_ADDRESS of setup ${setupName}${simulatorHint(mf)}`,
      { cause: err, details: err.details },
    );
  }
  if (!(err instanceof CaenError)) return err;
  const why = `${resultLabel(err.result)}: ${err.errorText}`;
  if (err.result === CAENHVResult.USERPASSFAILED || err.result === CAENHVResult.LOGINFAILED) {
    return new UsageError(
      'CRATE_LOGIN_REFUSED',
      `${what} answers on TCP 2527 but refused the login of user ${mf.user} (${why}): check CAENHV_USER and CAENHV_PASSWORD in the MAINFRAME block of setup ${setupName}, ` +
        'or wait if the crate is still booting (a crate that refuses every login for long may need a power cycle)',
      { cause: err, details: { ...err.details, address: mf.address } },
    );
  }
  if (err.connectionLost) {
    return new GemcaenError(
      'CRATE_UNREACHABLE',
      `cannot reach ${what} (${why}): check CAENHV_BOARD_ADDRESS of setup ${setupName} and that the crate is on and reachable${simulatorHint(mf)}`,
      { cause: err, details: { ...err.details, address: mf.address } },
    );
  }
  return err;
}

/**
 * Opens `mf` (library, InitSystem), runs `fn`, and always closes the session (DeinitSystem) afterwards,
 * on success, on error and on SIGINT/SIGTERM (the signal aborts `ctx.signal`, the result becomes an
 * INTERRUPTED error; a second signal exits at once). InitSystem failures become CRATE_UNREACHABLE (exit 1)
 * or CRATE_LOGIN_REFUSED (exit 2) with one line naming the address and the fix.
 */
export async function withCrate<T>(
  base: { config: GemcaenConfig; setup: SetupConfig; mainframe: MainframeConfig },
  fn: (ctx: CrateContext) => T | Promise<T>,
): Promise<T> {
  const { mainframe: mf, setup } = base;
  const lib = CaenLibrary.open(findCaenLibrary(mf.library));
  const address = await initArg(mf.linkType, mf.address);
  let crate: CaenMainframe;
  try {
    crate = CaenMainframe.connect(lib, { systemType: mf.systemType, linkType: mf.linkType, address, user: mf.user, password: mf.password.reveal() });
  } catch (err) {
    throw connectFailure(await explainLoginFailure(err, mf.linkType, address, mf.address), mf, setup.name);
  }
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(130);
    abort.abort(new GemcaenError('INTERRUPTED', `interrupted by ${sig}; the session with ${mf.address} was closed`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const work = Promise.resolve().then(() => fn({ ...base, crate, signal: abort.signal }));
    const interrupted = new Promise<never>((_, reject) => {
      abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error), { once: true });
    });
    work.catch(() => undefined);
    interrupted.catch(() => undefined);
    return await Promise.race([work, interrupted]);
  } finally {
    const logoutFailed = crate.deinit();
    if (logoutFailed) process.stderr.write(`gemcaen: warning: logging out of ${crate.address} failed (${logoutFailed.message}); the crate ends the session when it times out\n`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (abort.signal.aborted) {
      // the error becomes exit 130 in action(); a pending prompt that ignored ctx.signal may still hold
      // the event loop: leave once the error has been printed, as Node's default SIGINT would have
      setTimeout(() => process.exit(130), 500).unref();
    }
  }
}

/**
 * Checks that the setup's slot holds a board with every setup channel. Throws UsageError EMPTY_SLOT
 * (naming the slot and the boards present) or CHANNEL_OUT_OF_RANGE. One TestBdPresence call (plus a
 * GetCrateMap for the message when the slot is empty).
 */
export function checkSetupBoard(crate: CaenMainframe, setup: SetupConfig, mf: MainframeConfig): BoardInfo {
  const board = crate.boardPresence(setup.slot);
  if (!board) {
    const present = crate.crateMap().map((b) => `slot ${b.slot} ${b.model}`);
    throw new UsageError(
      'EMPTY_SLOT',
      `setup ${setup.name}: slot ${setup.slot} of ${mf.systemType} ${mf.address} holds no board; boards present: ${present.join(', ') || 'none'}; fix BOARD.SLOT`,
      { details: { slot: setup.slot, present: present } },
    );
  }
  const outside = setup.channels.filter((c) => c >= board.channels);
  if (outside.length > 0) {
    throw new UsageError(
      'CHANNEL_OUT_OF_RANGE',
      `setup ${setup.name}: channel${outside.length > 1 ? 's' : ''} ${listText(outside)} not on the ${board.model} in slot ${setup.slot}, which has channels 0-${board.channels - 1}; fix BOARD.CHANNELS`,
      { details: { slot: setup.slot, channels: outside, boardChannels: board.channels } },
    );
  }
  return board;
}

/**
 * The entry point of every command that works on one setup's crate:
 * `await withSetupCrate(opts, name, ({ crate, setup, board }) => …)`. Loads the config, resolves the setup,
 * connects, verifies the slot and channels, runs `fn`, and closes the session in `finally`.
 */
export async function withSetupCrate<T>(
  opts: GlobalOptions,
  setupName: string,
  fn: (ctx: SetupCrateContext) => T | Promise<T>,
): Promise<T> {
  const base = loadSetup(opts, setupName);
  return withCrate(base, (ctx) => fn({ ...ctx, board: checkSetupBoard(ctx.crate, ctx.setup, ctx.mainframe) }));
}
