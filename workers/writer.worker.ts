// The writer thread: a thin entry around src/writer/writer.ts. workerData is a WriterInit; the
// messages are ToWriterThread / FromWriterThread (all in src/protocol.ts).
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { toWireError } from '../src/errors.js';
import type { FromWriterThread, LogLevel, ToWriter, ToWriterThread, WriterInit } from '../src/protocol.js';
import { sinkFromWire } from '../src/writer/wire-config.js';
import { Writer } from '../src/writer/writer.js';
import { nameThisThread, WRITER_THREAD_NAME } from '../src/thread-name.js';

nameThisThread(WRITER_THREAD_NAME);

const DEFAULT_STOP_MS = 5000;

if (!parentPort) throw new Error('writer.worker must run in a worker thread');
const port = parentPort;
const init = workerData as WriterInit;
const post = (m: FromWriterThread): void => port.postMessage(m);
const log = (level: LogLevel, message: string): void => post({ type: 'log', level, message });

const writer = new Writer({
  sinks: init.sinks.map(sinkFromWire),
  policies: init.policies ?? {},
  settings: {
    spoolDirectory: init.settings.spoolDirectory,
    spoolMaxBytes: init.settings.spoolMaxMegabytes * 1024 * 1024,
    batchMaxLines: init.settings.batchMaxLines,
    batchMaxMs: init.settings.batchMaxMilliseconds,
  },
  log,
  onStateChange: () => post({ type: 'status', sinks: writer.status() }),
});
const mainframePorts = new Set<MessagePort>();
let stopping = false;

/** a mainframe worker's channel: readings (or points); 'stop' there only ends that channel */
function onPortMessage(p: MessagePort, m: ToWriter): void {
  if (m.type === 'stop') {
    mainframePorts.delete(p);
    p.close();
  } else if (m.type === 'readings') {
    try {
      writer.acceptReadings(m, p); // the writer keeps the layouts per port
    } catch (err) {
      log('error', `writer: readings of setup ${m.setup} not taken: ${(err as Error).message}`);
    }
  } else onPoints(m);
}

function onPoints(m: ToWriter): void {
  if (m.type === 'points') {
    try {
      writer.accept(m);
    } catch (err) {
      log('error', `writer: points of setup ${m.setup} not taken: ${(err as Error).message}`);
    }
  } else if (m.type === 'stop') void stop(m.reason, DEFAULT_STOP_MS);
}

async function stop(reason: string, timeoutMs: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('debug', `writer: stopping (${reason})`);
  // points a mainframe posted before it ended may still wait in its port's queue (the ports are
  // served in no particular order relative to this stop): take them before closing the ports
  for (const p of [...mainframePorts]) {
    for (let m = receiveMessageOnPort(p); m !== undefined && mainframePorts.has(p); m = receiveMessageOnPort(p)) onPortMessage(p, m.message as ToWriter);
    p.close();
  }
  mainframePorts.clear();
  await writer.stop(timeoutMs);
  post({ type: 'status', sinks: writer.status() });
  post({ type: 'stopped' });
  port.close(); // nothing else keeps the thread alive: it exits
}

port.on('message', (m: ToWriterThread) => {
  switch (m.type) {
    case 'port':
      if (stopping) {
        m.port.close();
        return;
      }
      mainframePorts.add(m.port);
      m.port.on('message', (x: ToWriter) => onPortMessage(m.port, x));
      m.port.on('close', () => mainframePorts.delete(m.port));
      break;
    case 'points':
      onPoints(m);
      break;
    case 'status':
      post({ type: 'status', sinks: writer.status() });
      break;
    case 'stop':
      void stop(m.reason, m.timeoutMs ?? DEFAULT_STOP_MS);
      break;
  }
});

writer.start().then(
  () => post({ type: 'ready' }),
  (err: unknown) => {
    post({ type: 'fault', error: toWireError(err) });
    port.close();
  },
);
