// REST proxy: one instance per bot token holds every rate-limit bucket, so concurrent handlers in many
// isolates (and other programs through /api/v10) share one view of Discord's limits. Bucket state lives in
// memory (re-learned after an eviction, one request per bucket); the invalid-request guard — the count that
// protects the bot from a ban, a rejected token, webhooks that are gone — is saved in storage.
import { DurableObject } from 'cloudflare:workers';
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import { configOf, need } from '../config.ts';
import type { Env } from '../env.ts';
import { rpcResult, type RpcResult } from '../rpc.ts';
import { egressFromEnv } from '../rest/egress.ts';
import type { GuardSnapshot } from '../rest/guard.ts';
import { restPoint } from '../observability/analytics.ts';
import { RestProxyCore, type ProxyStats } from '../rest/proxy.ts';
import { QQProxyCore, qqApiUrl, qqTokenUrl } from '../rest/qq-proxy.ts';
import type { RestRequest, RestResponse } from '../rest/types.ts';

const GUARD_KEY = 'guard';

/** A short fingerprint of the token, so a stored "token rejected" does not outlive a token change. */
async function fingerprint(token: string | undefined): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token ?? ''));
  return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class RestProxy extends DurableObject<Env> {
  readonly #core: RestProxyCore;
  /** QQ's OpenAPI, built on the first QQ call (the `qq` instance of this class serves them). */
  #qq: QQProxyCore | undefined;
  #saving: Promise<void> | undefined;
  #tokenPrint = '';

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#core = new RestProxyCore({
      apiUrl: env.DISCORD_API_URL,
      egress: egressFromEnv(env),
      globalPerSecond: need(configOf(env).globalRateLimit),
      invalidRequestLimit: need(configOf(env).invalidRequestLimit),
      ...(env.EDGESHARD_ANALYTICS ? { observe: (o) => restPoint(env.EDGESHARD_ANALYTICS, o) } : {}),
    });
    this.#core.limiter.onGuardChange = () => this.#save();
    void ctx.blockConcurrencyWhile(async () => {
      this.#tokenPrint = await fingerprint(env.DISCORD_TOKEN);
      const saved = await ctx.storage.get<GuardSnapshot & { token: string }>(GUARD_KEY);
      if (!saved) return;
      // A new token gets a fresh start on the 401 latch; the invalid-request count is per IP, so it stays.
      this.#core.limiter.guard.restore(
        saved.token === this.#tokenPrint ? saved : { ...saved, tokenRejected: undefined },
      );
    });
  }

  #save(): void {
    // Coalesce: at most one write in flight, and it writes the latest state.
    this.#saving ??= Promise.resolve().then(async () => {
      this.#saving = undefined;
      await this.ctx.storage.put(GUARD_KEY, { ...this.#core.limiter.guard.snapshot(), token: this.#tokenPrint });
    });
  }

  async request(req: RestRequest): Promise<RpcResult<RestResponse>> {
    return rpcResult(() => (req.platform === 'qq' ? this.#qqCore().request(req) : this.#core.request(req)));
  }

  #qqCore(): QQProxyCore {
    if (this.#qq) return this.#qq;
    const { QQ_APP_ID: appId, QQ_APP_SECRET: appSecret } = this.env;
    if (!appId || !appSecret)
      throw new EdgeshardError(
        ERROR_CODES.CONFIG_INVALID,
        'QQ_APP_ID and QQ_APP_SECRET must be set on the Worker to call the QQ OpenAPI (`wrangler secret put QQ_APP_SECRET`, QQ_APP_ID in [vars])',
      );
    this.#qq = new QQProxyCore({
      apiUrl: qqApiUrl(this.env),
      tokenUrl: qqTokenUrl(this.env),
      appId,
      appSecret,
      egress: egressFromEnv(this.env),
      invalidRequestLimit: need(configOf(this.env).invalidRequestLimit),
    });
    return this.#qq;
  }

  stats(): ProxyStats {
    return this.#core.stats();
  }
}
