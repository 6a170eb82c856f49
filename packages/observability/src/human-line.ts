/** pino's level numbers and the labels a person reads. */
const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// ANSI colours of the level labels (a terminal only).
const colours: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };

export interface HumanLineOptions {
  /** Colour the level label (ANSI). @defaultValue false */
  colour?: boolean;
}

/**
 * One JSON log line of pino as one line a person reads on a terminal:
 * `12:04:05 INFO  data-server  data server started  opsPort=9102`. The line was redacted
 * before it was written: this only rearranges it. An error's stack follows, indented; a line
 * that is not JSON is passed through.
 */
export function humanLine(json: string, o: HumanLineOptions = {}): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const { level, time, service, msg, err, ...rest } = entry;
  // pino's pid and hostname are the same on every line of a terminal.
  delete rest.pid;
  delete rest.hostname;
  const n = typeof level === 'number' ? level : 30;
  const label = (levels[n] ?? `L${n}`).padEnd(5);
  // The local time of day: a terminal is read by someone in their own time zone.
  const at = new Date(typeof time === 'string' || typeof time === 'number' ? time : Date.now());
  const stamp = Number.isNaN(at.getTime()) ? String(time) : at.toTimeString().slice(0, 8);
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${valueText(v)}`);
  let stack = '';
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; code?: unknown; stack?: unknown };
    fields.unshift(`err=${valueText(typeof e.message === 'string' ? e.message : err)}`, ...(e.code ? [`code=${valueText(e.code)}`] : []));
    if (n >= 50 && typeof e.stack === 'string') {
      stack = e.stack
        .split('\n')
        .slice(1)
        .map((l) => `    ${l.trim()}\n`)
        .join('');
    }
  }
  const shown = o.colour ? `\x1b[${colours[n] ?? '0'}m${label}\x1b[0m` : label;
  const head = `${stamp} ${shown} ${(typeof service === 'string' ? service : '').padEnd(18)} ${typeof msg === 'string' ? msg : ''}`;
  return `${[head, ...fields].join('  ').trimEnd()}\n${stack}`;
}

function valueText(v: unknown): string {
  if (typeof v === 'string') {
    return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  }
  return JSON.stringify(v) ?? String(v);
}
