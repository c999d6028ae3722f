// How a log record becomes a line: JSON (one object per line, for log collectors and pipes) or a short
// human line for a terminal. `EDGESHARD_LOG_FORMAT=json|pretty` chooses; unset, a terminal gets `pretty`.
export type LogFormat = 'json' | 'pretty';
export type LogRecord = { t: string; level: string; msg: string } & Record<string, unknown>;

export function logFormatFrom(value: string | undefined, isTTY: boolean): LogFormat {
  if (value === 'json' || value === 'pretty') return value;
  return isTTY ? 'pretty' : 'json';
}

// Fields shown as a prefix instead of key=value: they say where the line comes from.
const SCOPE = ['component', 'shard'] as const;
// Structured values (arrays, objects) are cut here; strings, which carry errors and their fixes, never are.
const MAX_STRUCTURED = 80;

function value(v: unknown): string {
  if (typeof v === 'string') return v === '' || /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  const json = JSON.stringify(v) ?? String(v);
  return json.length > MAX_STRUCTURED ? `${json.slice(0, MAX_STRUCTURED - 1)}…` : json;
}

/** `09:12:03 WARN [shard 3] msg key=value …` — one line, the time without the date. */
export function formatPretty(record: LogRecord): string {
  const { t, level, msg, ...fields } = record;
  const time = t.slice(11, 19);
  const lvl = level === 'info' || level === 'debug' ? level : level.toUpperCase();
  const scope: string[] = [];
  if (typeof fields.component === 'string' && fields.component !== 'shard-host') scope.push(fields.component);
  if (fields.shard !== undefined && typeof fields.shard !== 'object') scope.push(`shard ${String(fields.shard)}`);
  const rest = Object.entries(fields)
    .filter(([k]) => !(SCOPE as readonly string[]).includes(k) || (k === 'shard' && typeof fields.shard === 'object'))
    // A string the message already says (a transition's from, to and reason) is not said twice.
    .filter(([, v]) => !(typeof v === 'string' && v.length > 0 && msg.includes(v)))
    .map(([k, v]) => `${k}=${value(v)}`);
  return [time, lvl.padEnd(5), scope.length ? `[${scope.join(' ')}]` : '', msg, ...rest].filter(Boolean).join(' ');
}

export function formatRecord(record: LogRecord, format: LogFormat): string {
  return format === 'json' ? JSON.stringify(record) : formatPretty(record);
}
