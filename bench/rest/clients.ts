// The three ways of sending the burst: through our proxy (the Worker's /api/v10 under wrangler dev, the
// real Durable Object), through @discordjs/rest alone (its own per-bucket queues and global limit), and a
// naive client that fires everything and only reacts to 429s by waiting retry_after.
import { REST } from '@discordjs/rest';
import type { RestProxyCore } from '../../workers/rest/proxy.ts';
import type { Call } from './burst.ts';

export type Send = (call: Call) => Promise<number>;

export function viaProxy(workerUrl: string, token: string): Send {
  return async (call) => {
    const res = await fetch(`${workerUrl}/api/v10${call.path}`, {
      method: call.method,
      headers: {
        authorization: `Bot ${token}`,
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    });
    await res.arrayBuffer();
    return res.status;
  };
}

/** A handler's own client: DiscordRest (ctx.rest / ctx.api) inside the Worker, calling the REST proxy DO. */
export function viaHandlerClient(workerUrl: string): Send {
  return async (call) => {
    const res = await fetch(`${workerUrl}/_bench/handler-call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(call),
    });
    return ((await res.json()) as { status: number }).status;
  };
}

export function viaDiscordJs(emulatorUrl: string, token: string): Send {
  const rest = new REST({ api: `${emulatorUrl}/api`, version: '10', retries: 3, globalRequestsPerSecond: 50 }).setToken(
    token,
  );
  return async (call) => {
    const route = call.path as `/${string}`;
    await (call.method === 'POST' ? rest.post(route, { body: call.body }) : rest.put(route));
    return 200;
  };
}

export function naive(apiUrl: string, token: string): Send {
  const send: Send = async (call) => {
    for (;;) {
      const res = await fetch(`${apiUrl}${call.path}`, {
        method: call.method,
        headers: {
          authorization: `Bot ${token}`,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      });
      const text = await res.text();
      if (res.status !== 429) return res.status;
      const wait = (JSON.parse(text) as { retry_after: number }).retry_after * 1000;
      await new Promise((r) => setTimeout(r, wait));
    }
  };
  return send;
}

/** The proxy's limiter and transport without workerd around it, to tell its scheduling from the runtime's cost. */
export function viaCoreInProcess(apiUrl: string, token: string, core: RestProxyCore): Send {
  void apiUrl;
  void token;
  return async (call) =>
    (
      await core.request({
        method: call.method,
        path: call.path,
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      })
    ).status;
}
