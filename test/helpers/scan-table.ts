// A scan as a worker sends it to the supervisor (ScanLayout + values), made from readings written out
// per channel: for tests that feed DaemonState.recordScan without a worker. Every parameter any
// channel names becomes a column; a channel without it has NaN there (what a worker sends when a
// read failed).
import type { ChannelReading, ScanLayout } from '../../src/protocol.js';

export type ReadingInput = Pick<ChannelReading, 'slot' | 'channel' | 'name' | 'values'>;

export function scanOf(channels: readonly ReadingInput[], board: Readonly<Record<string, number>> = {}): [ScanLayout, Float64Array] {
  const params = [...new Set(channels.flatMap((c) => Object.keys(c.values)))];
  const boardParams = Object.keys(board);
  const values = new Float64Array(channels.length * params.length + boardParams.length);
  channels.forEach((c, i) => params.forEach((p, j) => (values[i * params.length + j] = c.values[p] ?? NaN)));
  boardParams.forEach((p, j) => (values[channels.length * params.length + j] = board[p]!));
  const layout: ScanLayout = { slot: channels[0]?.slot ?? 0, channels: channels.map((c) => c.channel), names: channels.map((c) => c.name), params, stride: params.length, board: boardParams };
  return [layout, values];
}
