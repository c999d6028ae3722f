// Which gateway URLs a shard may connect to, and so send the bot token to (Identify and Resume carry it).
// Only URLs the platform itself hands out: GET /gateway/bot answers `wss://gateway.discord.gg`, and READY's
// `resume_gateway_url` is a regional node such as `wss://gateway-us-east1-b.discord.gg` (Discord docs,
// Topics > Gateway > Resuming; Change Log 2022-08-09 "Session-specific Gateway Resume URLs"). QQ's
// /gateway/bot answers `wss://api.sgroup.qq.com/websocket` (or the sandbox host). A local emulator is
// trusted by origin: the gateway URL the host got from the configured API, or (on the coordinator) the
// configured API's own origin, where the emulator serves its gateway.
import { EdgeshardError, ERROR_CODES } from './errors.ts';
import type { Platform } from './events.ts';

/** Each platform's gateway hosts: exact hosts, or `.suffix` for any subdomain. */
export const GATEWAY_HOSTS: Readonly<Record<Platform, readonly string[]>> = {
  discord: ['gateway.discord.gg', '.discord.gg'],
  qq: ['api.sgroup.qq.com', 'sandbox.api.sgroup.qq.com'],
};

/** Every platform's gateway hosts (a host that does not say which platform a URL is for). */
export const PLATFORM_GATEWAY_HOSTS: readonly string[] = [...GATEWAY_HOSTS.discord, ...GATEWAY_HOSTS.qq];

function onHost(hostname: string, hosts: readonly string[]): boolean {
  return hosts.some((h) => (h.startsWith('.') ? hostname.endsWith(h) : hostname === h));
}

/** The ws(s) origin a gateway served beside `apiUrl` has (http → ws, https → wss), or null. */
export function gatewayOriginOf(apiUrl: string): string | null {
  try {
    const u = new URL(apiUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`;
  } catch {
    return null;
  }
}

/** The origin of a ws(s) URL the host was handed by the configured API itself (its /gateway/bot). */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'ws:' || u.protocol === 'wss:' ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

/** Undefined when a shard may send the token to `url`; otherwise why not. `hosts`: the platform's gateway
 *  hosts (GATEWAY_HOSTS[platform]; by default any platform's). */
export function gatewayUrlRefusal(
  url: string,
  trustedOrigins: readonly (string | null)[],
  hosts: readonly string[] = PLATFORM_GATEWAY_HOSTS,
): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.username || u.password) return 'a gateway URL carries no credentials';
  if (trustedOrigins.includes(`${u.protocol}//${u.host}`)) return undefined;
  if (u.protocol !== 'wss:') return `only wss:// gateway URLs are trusted (got ${u.protocol}//)`;
  if (u.port !== '' && u.port !== '443') return `port ${u.port} is not a platform gateway port`;
  if (!onHost(u.hostname, hosts)) return `${u.hostname} is not a platform gateway host (${hosts.join(', ')})`;
  return undefined;
}

/** A resume URL no shard may use: the token would go to whoever runs that host. */
export class UntrustedGatewayUrlError extends EdgeshardError {
  readonly url: string;
  constructor(url: string, reason: string) {
    super(
      ERROR_CODES.LEASE_PROTOCOL,
      `refusing gateway URL ${url.slice(0, 200)}: ${reason}. Only URLs the platform hands out (GET /gateway/bot, READY resume_gateway_url) are used; check DISCORD_API_URL`,
    );
    this.url = url;
  }
}

export function assertTrustedGatewayUrl(url: string, trustedOrigins: readonly (string | null)[]): void {
  const reason = gatewayUrlRefusal(url, trustedOrigins);
  if (reason !== undefined) throw new UntrustedGatewayUrlError(url, reason);
}
