// One notification for a group of alarm transitions: the text a person reads in Mattermost/Slack,
// and the two payload formats of gemcaen.Alarms.Webhooks.
import type { AlarmEvent } from '../events/types.js';

/** lines listed in one message before "… and N more" */
const MAX_LINES = 25;

function line(e: AlarmEvent): string {
  return e.action === 'raised' ? `${e.severity === 'error' ? 'ALARM' : 'warning'}: ${e.text}` : `cleared: ${e.text}`;
}

/** One line for one transition; a summary line and one line per transition for several. */
export function notificationText(events: readonly AlarmEvent[], host: string): string {
  if (events.length === 1) return `[gemcaen ${host}] ${line(events[0]!)}`;
  const raised = events.filter((e) => e.action === 'raised').length;
  const cleared = events.length - raised;
  const crates = [...new Set(events.map((e) => e.mainframe))].join(', ');
  const counts = [raised ? `${raised} raised` : '', cleared ? `${cleared} cleared` : ''].filter(Boolean).join(', ');
  const lines = events.slice(0, MAX_LINES).map((e) => `- ${line(e)}`);
  if (events.length > MAX_LINES) lines.push(`- … and ${events.length - MAX_LINES} more`);
  return [`[gemcaen ${host}] ${events.length} alarm transitions on ${crates}: ${counts}`, ...lines].join('\n');
}

export function payload(format: 'json' | 'slack', events: readonly AlarmEvent[], host: string): string {
  const text = notificationText(events, host);
  if (format === 'slack') return JSON.stringify({ text });
  return JSON.stringify({
    source: 'gemcaen',
    host,
    text,
    alarms: events.map((e) => ({
      action: e.action, id: e.id, severity: e.severity, source: e.source, mainframe: e.mainframe, setup: e.setup, slot: e.slot,
      channel: e.channel, name: e.name, bits: e.bits, text: e.text, time: new Date(e.timeMs).toISOString(),
    })),
  });
}
