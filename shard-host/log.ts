// Structured logs on stderr, so stdout stays free for machine-readable output: one JSON object per line, or
// one short human line per record in a terminal (log-format.ts, EDGESHARD_LOG_FORMAT).
import { formatRecord, logFormatFrom, type LogFormat } from './log-format.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function serialise(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message, ...('code' in v ? { code: v.code } : {}) } : v;
  }
  return out;
}

export function createLogger(
  base: LogFields = {},
  level: LogLevel = (process.env.EDGESHARD_LOG_LEVEL as LogLevel | undefined) ?? 'info',
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  format: LogFormat = logFormatFrom(process.env.EDGESHARD_LOG_FORMAT, process.stderr.isTTY === true),
): Logger {
  const min = ORDER[level] ?? ORDER.info;
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[lvl] < min) return;
    const record = { t: new Date().toISOString(), level: lvl, msg, ...base, ...(fields ? serialise(fields) : {}) };
    write(formatRecord(record, format));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, level, write, format),
  };
}

/** A logger that records lines, for tests. */
export function memoryLogger(): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger({}, 'debug', (line) => lines.push(JSON.parse(line) as LogFields), 'json');
  return Object.assign(logger, { lines });
}
