// One way to print a moment, everywhere a person reads one (console, log file, status, health):
// ISO 8601 in the machine's local time with its UTC offset, to the millisecond,
// e.g. 2026-12-06T21:04:05.123+01:00. Unambiguous, sortable, and what the clock on the wall says.

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function isoTime(ms: number = Date.now()): string {
  const d = new Date(ms);
  const offsetMinutes = -d.getTimezoneOffset();
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
