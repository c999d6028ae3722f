// Which upstreams the egress relay may call: the platforms' API hosts and the configured DISCORD_API_URL,
// nothing else, so a leaked secret cannot turn the host into an open proxy. HTTPS only, except the
// configured API URL itself (the local emulator is plain HTTP).

export const DEFAULT_ALLOWED_HOSTS = ['discord.com', 'api.sgroup.qq.com', 'sandbox.api.sgroup.qq.com', 'bots.qq.com'];

export interface AllowList {
  /** Undefined when allowed; otherwise why not. */
  check(url: string): string | undefined;
  /** Whether the host may add the bot token for this URL (only the Discord API). */
  mayInjectDiscordToken(url: string): boolean;
}

/** `configured`: other URLs this host was configured with (QQ_TOKEN_URL); like DISCORD_API_URL, their host is
 *  allowed, over plain http too when that is how they were configured (local emulators). */
export function allowList(
  discordApiUrl: string,
  extraHosts: readonly string[] = [],
  configured: readonly string[] = [],
): AllowList {
  const discord = new URL(discordApiUrl);
  const plainHttp = new Set(
    [discordApiUrl, ...configured]
      .map((u) => new URL(u))
      .filter((u) => u.protocol === 'http:')
      .map((u) => u.host),
  );
  const hosts = new Set([
    ...DEFAULT_ALLOWED_HOSTS,
    ...extraHosts,
    discord.host,
    ...configured.map((u) => new URL(u).host),
  ]);
  return {
    check(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return `not a URL: ${raw.slice(0, 100)}`;
      }
      if (url.username || url.password) return 'URLs with credentials are refused';
      if (!hosts.has(url.host)) return `host ${url.host} is not on the egress allow-list (${[...hosts].join(', ')})`;
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainHttp.has(url.host))) {
        return `only https is relayed (got ${url.protocol})`;
      }
      return undefined;
    },
    mayInjectDiscordToken(raw) {
      const url = new URL(raw);
      return url.host === discord.host || url.host === 'discord.com';
    },
  };
}
