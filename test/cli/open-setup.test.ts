// withSetupCrate: the one way a command reaches a setup's crate. In process for its API (context, errors,
// DeinitSystem in finally), in a child process for Ctrl-C/SIGTERM while a session is open.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { loadSetup, withSetupCrate, type SetupCrateContext } from '../../src/cli/open-setup.js';
import { exitCodeOf } from '../../src/cli/command.js';
import type { CaenMainframe } from '../../src/caen/mainframe.js';
import { GemcaenError, UsageError } from '../../src/errors.js';
import { assertSessionsLoggedOut, repoRoot, tempDir, writeConfig } from '../helpers/cli.js';

let sim: SimHandle;
let tmp: ReturnType<typeof tempDir>;
let config: string;

before(async () => {
  sim = await startSim({ seed: 4 });
  tmp = tempDir();
  config = writeConfig(tmp.dir, sim, {
    Drift: { monitorables: ['VMon', 'Status'], slot: 2, channels: [0, 1, 2, 3] },
    Gem: { monitorables: ['VMon'], slot: 0, layer: 2 },
    Empty: { monitorables: ['VMon'], slot: 1, channels: [0] },
    Far: { monitorables: ['VMon'], slot: 2, channels: [23, 24] },
  });
});

after(async () => {
  await sim?.stop();
  tmp?.cleanup();
});

afterEach(() => assertSessionsLoggedOut(sim));

describe('withSetupCrate', () => {
  test('gives the config, setup, mainframe, open crate and board; returns the result; closes the session', async () => {
    let seen: SetupCrateContext | undefined;
    const result = await withSetupCrate({ config }, 'Gem', (ctx) => {
      seen = ctx;
      assert.equal(ctx.crate.isOpen, true);
      return ctx.crate.channelNames(ctx.setup.slot, ctx.setup.channels);
    });
    assert.ok(seen);
    assert.equal(seen.setup.name, 'Gem');
    assert.deepEqual(seen.setup.channels, [7, 8, 9, 10, 11, 12, 13]);
    assert.equal(seen.mainframe.address, sim.address);
    assert.equal(seen.config.file, config);
    assert.deepEqual([seen.board.slot, seen.board.model, seen.board.channels], [0, 'A1515TG', 14]);
    assert.equal(result.length, 7);
    assert.match(result[0]!, /G3BOT$/);
    assert.equal(seen.crate.isOpen, false, 'DeinitSystem ran');
    assert.equal(seen.signal.aborted, false);
  });

  test('an error in the callback (sync or async) comes out unchanged, after DeinitSystem', async () => {
    for (const fail of [
      (): never => {
        throw new UsageError('MINE', 'sync');
      },
      async (): Promise<never> => {
        await new Promise((r) => setTimeout(r, 10));
        throw new UsageError('MINE', 'async');
      },
    ]) {
      let crate: CaenMainframe | undefined;
      await assert.rejects(
        withSetupCrate({ config }, 'Drift', (ctx) => {
          crate = ctx.crate;
          return fail();
        }),
        (err: unknown) => err instanceof UsageError && err.code === 'MINE',
      );
      assert.equal(crate?.isOpen, false);
    }
  });

  test('empty slot and channels beyond the board: UsageError (exit 2) before the callback runs', async () => {
    let ran = false;
    await assert.rejects(
      withSetupCrate({ config }, 'Empty', () => (ran = true)),
      (err: unknown) => err instanceof UsageError && err.code === 'EMPTY_SLOT' && /slot 1 /.test(err.message) && /slot 2 A1535/.test(err.message),
    );
    await assert.rejects(
      withSetupCrate({ config }, 'Far', () => (ran = true)),
      (err: unknown) => err instanceof UsageError && err.code === 'CHANNEL_OUT_OF_RANGE' && exitCodeOf(err) === 2 && /channel 24 /.test(err.message),
    );
    assert.equal(ran, false);
  });

  test('unknown setup: UsageError naming the setups, without connecting', async () => {
    await sim.control.resetCounters();
    assert.throws(() => loadSetup({ config }, 'Nope'), (err: unknown) => err instanceof UsageError && err.code === 'UNKNOWN_SETUP' && /setups: Drift, Gem, Empty, Far/.test(err.message));
    await assert.rejects(withSetupCrate({ config }, 'Nope', () => 1), (err: unknown) => err instanceof GemcaenError && exitCodeOf(err) === 2);
    assert.equal((await sim.control.counters()).calls.CAENHV_InitSystem ?? 0, 0);
  });
});

describe('signals', () => {
  // a command stuck in an async step that ignores ctx.signal (a prompt nobody answers)
  const fixture = (): string => {
    const file = join(tmp.dir, 'hold.mjs');
    const dist = (p: string): string => pathToFileURL(join(repoRoot, 'dist', 'src', 'cli', p)).href;
    writeFileSync(
      file,
      `import { action } from '${dist('command.js')}';\n` +
        `import { withSetupCrate } from '${dist('open-setup.js')}';\n` +
        `await action(() => withSetupCrate({ config: process.argv[2] }, 'Drift', () => {\n` +
        `  process.stdout.write('ready\\n');\n` +
        `  setInterval(() => {}, 1000);\n` +
        `  return new Promise(() => {});\n` +
        `}))();\n`,
    );
    return file;
  };

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    test(`${sig} while a session is open: DeinitSystem, one line, exit 130`, async () => {
      const child = spawn(process.execPath, [fixture(), config], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      await new Promise<void>((resolveReady, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('ready') && resolveReady());
        child.once('exit', () => reject(new Error(`fixture exited early: ${stderr}`)));
      });
      assert.equal((await sim.control.counters()).openSessions, 1, 'the session is open while the command waits');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(sig);
      const code = await exited;
      clearTimeout(killer);
      assert.equal(code, 130);
      assert.deepEqual(stderr.trim().split('\n'), [`gemcaen: interrupted by ${sig}; the session with ${sim.address} was closed`]);
    });
  }
});
