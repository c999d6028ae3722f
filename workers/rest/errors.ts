// Discord's own refusals, typed: the HTTP status, Discord's JSON error code (Topics > Opcodes and Status
// Codes > JSON Error Codes, e.g. 10003 Unknown Channel, 50013 Missing Permissions, 50035 Invalid Form Body)
// and its message, plus the field errors of a 50035.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';

export class DiscordApiError extends EdgeshardError {
  /** HTTP status of Discord's answer. */
  readonly status: number;
  /** Discord's JSON error code; 0 when the answer carried none (a 5xx page, say). */
  readonly discordCode: number;
  readonly method: string;
  readonly path: string;
  /** The `errors` object of an Invalid Form Body answer, as Discord sent it. */
  readonly errors: unknown;

  constructor(method: string, path: string, status: number, body: string) {
    let discordCode = 0;
    let discordMessage = body.slice(0, 300);
    let errors: unknown;
    try {
      const parsed = JSON.parse(body) as { code?: unknown; message?: unknown; errors?: unknown };
      if (typeof parsed.code === 'number') discordCode = parsed.code;
      if (typeof parsed.message === 'string') discordMessage = parsed.message;
      errors = parsed.errors;
    } catch {
      // not JSON: keep the start of the text
    }
    const where = `${method} ${path.split('?')[0]}`;
    super(
      ERROR_CODES.UPSTREAM_HTTP,
      `Discord answered ${status}${discordCode ? ` (${discordCode})` : ''} to ${where}: ${discordMessage}${
        errors === undefined ? '' : ` ${JSON.stringify(errors).slice(0, 300)}`
      }`,
    );
    this.name = 'DiscordApiError';
    this.status = status;
    this.discordCode = discordCode;
    this.method = method;
    this.path = path;
    this.errors = errors;
  }
}
