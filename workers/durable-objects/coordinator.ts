// ShardCoordinator: one per bot and platform (coordinator/stub.ts). Owns the lease table (which host runs which shard, at which epoch, until
// when), the identify queue shared by every host, and each shard's session so any host can resume it.
// Hosts hold one hibernating WebSocket each (README, "Coordinator": why a WebSocket): assignments,
// revocations and gateway commands are pushed, and an idle coordinator costs nothing. Every operation runs
// read-check-write in one transactionSync; lease expiry runs from an alarm set to the earliest deadline.
import { DurableObject } from 'cloudflare:workers';
import {
  EdgeshardError,
  ERROR_CODES,
  errorBody,
  HOST_HEADER,
  LEASE_PROTOCOL_VERSION,
  NONCE_HEADER,
  parseHostMessage,
  type GatewayCommand,
  type Platform,
} from '../../protocol/index.ts';
import { coordinatorConfig, reshardAtOf } from '../coordinator/config.ts';
import type { ReshardView } from '../../coordination/reshard.ts';
import { gatewayTrust, isPlatform, PLATFORM_HEADER } from '../coordinator/stub.ts';
import { rememberNonce, replayedConnect } from '../coordinator/nonces.ts';
import { statusOf, type CoordinatorStatus } from '../coordinator/status.ts';
import { loadState, saveDirty } from '../coordinator/storage.ts';
import { admitBatch, type AdmitRequest, type AdmitVerdict } from '../coordinator/admit.ts';
import { DeliveryLedger, type LedgerItem } from '../coordinator/ledger.ts';
import { LeaseTable, type Outgoing } from '../../coordination/table.ts';
import type { Env } from '../env.ts';
import { rpcResult, type RpcResult } from '../rpc.ts';

interface SocketAttachment {
  platform: Platform;
}

function platformOf(ws: WebSocket): Platform {
  const a = ws.deserializeAttachment() as Partial<SocketAttachment> | null;
  return isPlatform(a?.platform) ? a.platform : 'discord';
}

/** Close code for a connection that broke the protocol (private range, RFC 6455 §7.4.2). */
const PROTOCOL_CLOSE = 4400;
const REPLACED_CLOSE = 4001;

export class ShardCoordinator extends DurableObject<Env> {
  #table!: LeaseTable;
  #ledger!: DeliveryLedger;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.#ledger = new DeliveryLedger(ctx.storage.sql);
      this.#table = new LeaseTable(loadState(ctx.storage.sql), coordinatorConfig(env), this.#ledger, {
        reshardAt: reshardAtOf(env),
        log: (msg, fields) => console.log(JSON.stringify({ level: 'info', component: 'coordinator', msg, ...fields })),
      });
      // Sockets that survived hibernation are the truth about who is connected.
      for (const host of this.#table.state.hosts.values()) host.connected = this.#sockets(host.id).length > 0;
    });
  }

  /** The WebSocket upgrade, forwarded by routes/coordinator.ts after it authenticated the host. */
  override async fetch(request: Request): Promise<Response> {
    const hostId = request.headers.get(HOST_HEADER);
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' || !hostId) {
      return Response.json(
        {
          error: {
            code: ERROR_CODES.LEASE_PROTOCOL,
            message: 'expected a WebSocket upgrade from an authenticated host',
          },
        },
        { status: 426 },
      );
    }
    // A replayed connect (same signed nonce) is refused and leaves the live socket alone.
    if (!rememberNonce(this.ctx.storage.sql, request.headers.get(NONCE_HEADER) ?? '', Date.now()))
      return Response.json(errorBody(replayedConnect()), { status: 401 });
    // A host reconnecting after a dropped connection replaces its old socket: one connection per host.
    for (const old of this.#sockets(hostId))
      old.close(REPLACED_CLOSE, 'replaced by a newer connection of the same host');
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [hostId]);
    // Which platform this instance serves (the route names it): kept with the socket, so it survives
    // hibernation, and used to check the resume URLs the host reports.
    const platform = request.headers.get(PLATFORM_HEADER);
    server.serializeAttachment({ platform: isPlatform(platform) ? platform : 'discord' } satisfies SocketAttachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const hostId = this.ctx.getTags(ws)[0];
    if (!hostId) return ws.close(PROTOCOL_CLOSE, 'untagged socket');
    // Automatic resharding follows Discord's limits: not for another platform's coordinator.
    if (platformOf(ws) !== 'discord') this.#table.setReshardAt(null);
    let msg;
    try {
      // Resume URLs: this platform's gateway hosts, or its configured API's origin (an emulator's gateway).
      const { origins, hosts } = gatewayTrust(this.env, platformOf(ws));
      const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
      msg = parseHostMessage(JSON.parse(text), origins, hosts);
    } catch (cause) {
      const err =
        cause instanceof EdgeshardError
          ? cause
          : new EdgeshardError(
              ERROR_CODES.LEASE_PROTOCOL,
              `malformed host message: not JSON (${(cause as Error).message})`,
            );
      ws.send(JSON.stringify({ v: LEASE_PROTOCOL_VERSION, type: 'error', ...errorBody(err).error }));
      return ws.close(PROTOCOL_CLOSE, err.code);
    }
    const m = msg;
    this.#apply((now) => this.#table.handle(hostId, m, now));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.#closed(ws);
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
    } catch {
      /* already closed */
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#closed(ws);
  }

  override async alarm(): Promise<void> {
    this.#apply((now) => this.#table.tick(now));
  }

  /**
   * Before a request runs handlers: fences the events of each shard whose lease epoch in the request is stale
   * (the shard moved to another host, whose resume makes the platform replay these events there) and claims
   * the other events whose handlers have not completed yet. One call per request, whatever shards it carries
   * (workers/delivery/once.ts), never one per event or shard.
   */
  admit(request: AdmitRequest): Promise<RpcResult<AdmitVerdict>> {
    return rpcResult(() => admitBatch(this.#table, this.#ledger, request, Date.now()));
  }

  /** After the handlers: what completed is never run again; what failed is free for the host's retry. */
  settle(done: LedgerItem[], released: string[]): void {
    this.#ledger.settle(done, released, Date.now());
  }

  /** Starts a reshard to `to` shards (`npx shard-host reshard`); RESHARD_REFUSED says why it cannot. */
  reshard(to: number): Promise<RpcResult<ReshardView>> {
    return rpcResult(() => {
      this.#apply((now) => this.#table.reshard(to, 'manual: npx shard-host reshard', now));
      return this.#table.reshardView(Date.now());
    });
  }

  cancelReshard(): Promise<RpcResult<ReshardView>> {
    return rpcResult(() => {
      this.#apply((now) => this.#table.cancelReshard(now));
      return this.#table.reshardView(Date.now());
    });
  }

  reshardView(): ReshardView {
    return this.#table.reshardView(Date.now());
  }

  status(): CoordinatorStatus {
    return statusOf(this.#table, Date.now());
  }

  /** Pushes a gateway command to the host that owns the guild's shard; throws NOT_AVAILABLE when none can take it. */
  command(guildId: string, payload: GatewayCommand): Promise<RpcResult<{ shard: number; host: string }>> {
    return rpcResult(() => this.#command(guildId, payload));
  }

  #command(guildId: string, payload: GatewayCommand): { shard: number; host: string } {
    const out = this.#table.command(guildId, payload);
    const socket = this.#sockets(out.host)[0];
    if (!socket)
      throw new EdgeshardError(
        ERROR_CODES.NOT_AVAILABLE,
        `host ${out.host} owns the guild's shard but is not connected right now; retry in a few seconds`,
      );
    socket.send(JSON.stringify(out.message));
    return { shard: (out.message as { shard: number }).shard, host: out.host };
  }

  #closed(ws: WebSocket): void {
    const hostId = this.ctx.getTags(ws)[0];
    if (!hostId) return;
    if (this.#sockets(hostId).some((s) => s !== ws)) return; // replaced by a newer connection
    this.#apply((now) => this.#table.disconnected(hostId, now));
  }

  #sockets(hostId: string): WebSocket[] {
    return this.ctx.getWebSockets(hostId).filter((s) => s.readyState === WebSocket.OPEN);
  }

  #apply(op: (now: number) => Outgoing[]): void {
    const now = Date.now();
    const out = this.ctx.storage.transactionSync(() => {
      const result = op(now);
      saveDirty(this.ctx.storage.sql, this.#table);
      return result;
    });
    for (const o of out) {
      for (const ws of this.#sockets(o.host)) {
        try {
          ws.send(JSON.stringify(o.message));
          if (o.close) ws.close(PROTOCOL_CLOSE, o.message.type === 'error' ? o.message.code : 'closing');
        } catch {
          // The socket closed meanwhile; the host's next hello reconciles what it missed.
        }
      }
    }
    const next = this.#table.nextDeadline(now);
    if (next === null) void this.ctx.storage.deleteAlarm();
    else void this.ctx.storage.setAlarm(next);
  }
}
