// The emulated QQ bot platform's state: the app and its secret, groups and users (by openid), access
// tokens issued, messages delivered to the bot (so replies can be checked against them), and what the bot
// sent back.
import { createHash, randomBytes } from 'node:crypto';
import type { SigningKey } from '../interactions/keys.ts';
import { qqSigningKey } from './keys.ts';
import { QQGuildWorld } from './guild.ts';

export interface QQGroup {
  group_openid: string;
  member_openids: string[];
}

export interface QQDelivered {
  scene: 'group' | 'c2c' | 'guild';
  /** group_openid, user openid or channel id the message came from. */
  target: string;
  at: number;
  replies: Set<number>;
}

export interface QQSent {
  id: string;
  scene: 'group' | 'c2c' | 'guild' | 'dm';
  target: string;
  content: string;
  msg_id?: string;
  msg_seq?: number;
  event_id?: string;
  timestamp: number;
  msg_type?: number;
  /** file_info of a rich-media message. */
  media?: string;
  recalled?: boolean;
}

export interface QQEventRecord {
  id: string;
  op: number;
  t?: string;
  status: number;
  response: unknown;
  acked: boolean;
  /** How it was delivered; a websocket-only event has no webhook status (0). */
  via?: 'webhook' | 'websocket' | 'both';
}

export interface QQCounters {
  tokensIssued: number;
  tokenRefusals: number;
  apiRequests: number;
  apiRefusals: number;
  eventsSent: number;
  eventsAcked: number;
  validations: number;
}

/** openids are 32 upper-case hex characters; derived from the seed so runs are reproducible. */
const openid = (seed: string) => createHash('sha256').update(seed).digest('hex').slice(0, 32).toUpperCase();

export class QQState {
  readonly appId: string;
  readonly appSecret: string;
  readonly key: SigningKey;
  readonly groups: QQGroup[];
  readonly users: string[];
  readonly tokens = new Map<string, number>();
  readonly delivered = new Map<string, QQDelivered>();
  readonly sent: QQSent[] = [];
  readonly events: QQEventRecord[] = [];
  readonly guildWorld: QQGuildWorld;
  readonly counters: QQCounters = {
    tokensIssued: 0,
    tokenRefusals: 0,
    apiRequests: 0,
    apiRefusals: 0,
    eventsSent: 0,
    eventsAcked: 0,
    validations: 0,
  };
  /** Lifetime of tokens issued from now on; a control route shortens it to test refreshes. */
  tokenTtlSeconds: number;
  /** The token the endpoint hands out until its last 60 s. */
  #latest: { token: string; expiresAt: number } | undefined;

  constructor(opts: {
    appId?: string;
    appSecret?: string;
    seed: number;
    groups?: number;
    users?: number;
    tokenTtlSeconds?: number;
  }) {
    this.appId = opts.appId ?? '102000001';
    // QQ's AppSecrets are 32 characters; a fresh random one per run unless given.
    this.appSecret = opts.appSecret ?? randomBytes(24).toString('base64url').slice(0, 32);
    this.key = qqSigningKey(this.appSecret);
    this.users = Array.from({ length: opts.users ?? 5 }, (_, i) => openid(`${opts.seed}:user:${i}`));
    this.groups = Array.from({ length: opts.groups ?? 2 }, (_, g) => ({
      group_openid: openid(`${opts.seed}:group:${g}`),
      member_openids: this.users.map((u) => openid(`${g}:${u}`)),
    }));
    this.tokenTtlSeconds = opts.tokenTtlSeconds ?? 7200;
    this.guildWorld = new QQGuildWorld(opts.seed, this.appId);
  }

  /**
   * 接口调用与鉴权 > 获取调用凭证: within a token's lifetime the endpoint returns the same token (with the
   * seconds it has left); in its last 60 s it issues a new one, and the old one stays valid until it expires.
   */
  issueToken(now = Date.now()): { access_token: string; expires_in: string } {
    const latest = this.#latest;
    if (latest && latest.expiresAt - now > 60_000 && this.tokenValid(latest.token, now)) {
      return { access_token: latest.token, expires_in: String(Math.floor((latest.expiresAt - now) / 1000)) };
    }
    const token = randomBytes(24).toString('base64url');
    const expiresAt = now + this.tokenTtlSeconds * 1000;
    this.tokens.set(token, expiresAt);
    this.#latest = { token, expiresAt };
    this.counters.tokensIssued++;
    return { access_token: token, expires_in: String(this.tokenTtlSeconds) };
  }

  /** Every token issued so far expires now (a control route: "the token expired mid-session"). */
  expireTokens(now = Date.now()): number {
    for (const token of this.tokens.keys()) this.tokens.set(token, now);
    this.#latest = undefined;
    return this.tokens.size;
  }

  tokenValid(token: string, now = Date.now()): boolean {
    const expires = this.tokens.get(token);
    return expires !== undefined && expires > now;
  }

  group(groupOpenid: string): QQGroup | undefined {
    return this.groups.find((g) => g.group_openid === groupOpenid);
  }
}
