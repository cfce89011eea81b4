// Thread entry of one mainframe: a long-running piscina task. It owns the CAEN handle, polls its
// setups, sends points to the writer over `writer` and talks to the supervisor over `control`.
// It ends when the supervisor posts {type:'stop'} on `control` (never by abort: a terminated
// thread would leave its session open on the crate).
import { toWireError } from '../src/errors.js';
import type { MainframeTask, MainframeToSupervisor, ReadingsMessage, SupervisorToMainframe, ToWriter } from '../src/protocol.js';
import { connector, eventSockets, releaseStaleHandles } from '../src/poll/connect.js';
import { MainframePoller } from '../src/poll/mainframe-poller.js';
import { runControlJob } from '../src/control/request.js';
import { mainframeThreadName, nameThisThread } from '../src/thread-name.js';

export default async function run(task: MainframeTask): Promise<'stopped'> {
  const { control, writer } = task;
  nameThisThread(mainframeThreadName(task.mainframe.id));
  const post = (msg: MainframeToSupervisor) => control.postMessage(msg);
  for (const [handle, result] of releaseStaleHandles(task.mainframe, task.staleHandles ?? [])) {
    post({ type: 'log', level: 'warn', message: `released handle ${handle} left open by a worker that died (DeinitSystem result ${result})` });
    post({ type: 'session', handle: null });
  }
  const poller = new MainframePoller(task.mainframe, task.setups, {
    post,
    readings: (msg: ReadingsMessage) => writer.postMessage(msg),
    connect: connector(task.mainframe),
    ...(task.mainframe.events ? { eventSockets } : {}),
    ...(task.stopFlag ? { stopFlag: task.stopFlag } : {}),
  }, task.options);
  control.on('message', (msg: SupervisorToMainframe) => {
    if (msg.type === 'stop') poller.stop(msg.reason);
    else if (msg.type === 'control') {
      // run by the poll loop between two of its calls: serialised with the scans and with other requests
      poller
        .exclusive((session) => runControlJob(session, task.controlSetups ?? task.setups, task.mainframe.id, msg))
        .catch((err: unknown) => ({ ...toWireError(err), writes: 0, sent: false }))
        .then((result) => post({ type: 'control-result', id: msg.id, result }));
    }
  });
  try {
    await poller.run();
    post({ type: 'stopped' });
    return 'stopped';
  } catch (err) {
    post({ type: 'fault', error: toWireError(err) });
    throw err;
  } finally {
    // ends this channel at the writer after the points already posted (a restarted task gets a new one)
    writer.postMessage({ type: 'stop', reason: 'mainframe task ended' } satisfies ToWriter);
    control.close();
  }
}
