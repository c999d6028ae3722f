// The gateway's shared state: live sessions per shard, the connection serving each shard, identify and resume,
// and routing of guild events to the sessions that own the guild. Sockets live in Connection.
import { createHash } from 'node:crypto';
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayIntentBits, GatewayOpcodes } from 'discord-api-types/v10';
import type { EmulatorCounters } from '../counters.ts';
import { bump } from '../counters.ts';
import { PRIVILEGED_INTENTS, type ResolvedOptions } from '../options.ts';
import type { WorldIndex } from '../world.ts';
import { clientCloseEndsSession, serverCloseEndsSession } from './close-codes.ts';
import type { CommandRecord } from './commands.ts';
import type { Connection, ConnectionHost } from './connection.ts';
import { parseIdentify, parseResume } from './handshake.ts';
import { IdentifyGate } from './identify-gate.ts';
import { seesMessageContent, wantsGuildEvent } from './intents.ts';
import { requestGuildMembers } from './members.ts';
import { guildCreateData, readyData } from './ready.ts';
import { Session, type DispatchRecord, type OutgoingEvent } from './session.ts';
import { shardForGuild } from '../snowflake.ts';

export interface HubDeps {
  options: ResolvedOptions;
  counters: EmulatorCounters;
  index: WorldIndex;
  resumeGatewayUrl: () => string;
}

/** A shard is the pair (id, count): `0/2` and `0/4` are different shards. */
export const generationKey = (shardId: number, shardCount: number): string => `${shardId}/${shardCount}`;

export class GatewayHub implements ConnectionHost {
  readonly counters: EmulatorCounters;
  readonly heartbeatIntervalMs: number;
  readonly gate: IdentifyGate;
  /** Every dispatch ever assigned to a session, in order. */
  readonly records: DispatchRecord[] = [];
  /** Every gateway command received from an authenticated connection, in order. */
  readonly commands: CommandRecord[] = [];
  /** Bumped whenever the set of live sessions changes, so the traffic generator can cache its channel list. */
  generation = 0;
  readonly #deps: HubDeps;
  /** Live sessions by `id/count`: a reshard runs two generations of one shard id side by side. */
  readonly #live = new Map<string, Session<Connection>>();
  readonly #sessionsById = new Map<string, Session<Connection>>();
  readonly #connByShard = new Map<number, Connection>();
  readonly #connectionsPerShard = new Map<number, number>();
  #sessionCounter = 0;

  constructor(deps: HubDeps) {
    this.#deps = deps;
    this.counters = deps.counters;
    this.heartbeatIntervalMs = deps.options.heartbeatIntervalMs;
    this.gate = new IdentifyGate({
      maxConcurrency: deps.options.maxConcurrency,
      windowMs: deps.options.identifyWindowMs,
      sessionStartTotal: deps.options.sessionStartTotal,
    });
  }

  identify(conn: Connection, d: unknown): void {
    const { options, index } = this.#deps;
    const parsed = parseIdentify(d, options.token, options.privilegedIntents, PRIVILEGED_INTENTS);
    if (!parsed.ok) return conn.close(parsed.code);
    if (conn.session) return conn.close(4005);
    const { shardId, shardCount, intents, largeThreshold } = parsed.value;
    // Discord docs, Opcodes and Status Codes > 4011: a shard that would hold too many guilds must not connect.
    const limit = options.guildsPerShardLimit;
    if (limit > 0 && index.guildsForShard(shardId, shardCount).length > limit)
      return conn.close(GatewayCloseCodes.ShardingRequired);
    const bucket = this.gate.bucketOf(shardId);
    const previousAt = this.gate.lastIdentifyAt(bucket);
    const outcome = this.gate.tryIdentify(shardId);
    this.counters.sessionStartRemaining = this.gate.remaining;
    if (outcome !== 'ok') {
      if (outcome === 'too-fast') {
        this.counters.identifyViolations++;
        bump(this.counters.identifyViolationsByBucket, bucket);
      }
      return this.invalidate(conn, false);
    }
    this.counters.identifies++;
    bump(this.counters.identifiesByShard, shardId);
    bump(this.counters.identifiesByBucket, bucket);
    if (previousAt !== undefined) {
      const gap = (this.gate.lastIdentifyAt(bucket) ?? previousAt) - previousAt;
      if (this.counters.minIdentifyGapMs === null || gap < this.counters.minIdentifyGapMs)
        this.counters.minIdentifyGapMs = gap;
    }
    // A new identify replaces the shard's previous session; Discord would keep both alive, but the emulator
    // routes each guild to one session so that split brain shows up as two open connections, not two streams.
    const key = generationKey(shardId, shardCount);
    const previous = this.#live.get(key);
    if (previous) this.#end(previous);
    const guilds = index.guildsForShard(shardId, shardCount);
    const id = createHash('sha256').update(`${options.seed}:${++this.#sessionCounter}`).digest('hex').slice(0, 32);
    const session = new Session<Connection>({
      id,
      shardId,
      shardCount,
      intents,
      seesContent: seesMessageContent(intents),
      guildIds: guilds.map((g) => g.id),
      bufferSize: options.resumeBufferSize,
    });
    this.#live.set(key, session);
    this.#sessionsById.set(id, session);
    this.generation++;
    this.#attach(conn, session);
    const ready = readyData({
      world: index.world,
      sessionId: id,
      resumeGatewayUrl: this.#deps.resumeGatewayUrl(),
      shard: [shardId, shardCount],
      guilds,
    });
    this.#record(session, { type: GatewayDispatchEvents.Ready, json: JSON.stringify(ready) });
    if ((intents & GatewayIntentBits.Guilds) === 0) return;
    for (const guild of guilds) {
      this.#record(session, {
        type: GatewayDispatchEvents.GuildCreate,
        id: guild.id,
        json: JSON.stringify(guildCreateData(index, guild, largeThreshold)),
      });
    }
  }

  resume(conn: Connection, d: unknown): void {
    const parsed = parseResume(d, this.#deps.options.token);
    if (!parsed.ok) return conn.close(parsed.code);
    if (conn.session) return conn.close(4005);
    const session = this.#sessionsById.get(parsed.value.sessionId);
    const seq = parsed.value.seq;
    // Discord docs, Topics > Gateway > Resuming: an unknown or expired session, or a seq the buffer no longer
    // covers, gets Invalid Session (d: false) and the client must identify anew.
    if (!session || session.ended || !session.canResumeFrom(seq)) return this.invalidate(conn, false);
    this.counters.resumes++;
    bump(this.counters.resumesByShard, session.shardId);
    this.#attach(conn, session);
    session.replayAfter(seq);
    this.#record(session, { type: GatewayDispatchEvents.Resumed, json: '{}' });
  }

  command(conn: Connection, op: number, d: unknown): void {
    const session = conn.session;
    if (!session) return;
    const record: CommandRecord = {
      shard: session.shardId,
      session: session.id,
      op,
      d,
      at: Date.now(),
      outcome: 'recorded',
    };
    this.commands.push(record);
    this.counters.commands++;
    bump(this.counters.commandsByShard, session.shardId);
    bump(this.counters.commandsByOp, op);
    if (op !== GatewayOpcodes.RequestGuildMembers) return;
    const guildId = (d as { guild_id?: unknown } | null)?.guild_id;
    const guild =
      typeof guildId === 'string' && session.guildIds.has(guildId)
        ? this.#deps.index.world.guilds.find((g) => g.id === guildId)
        : undefined;
    const outcome = requestGuildMembers(d, session.intents, guild, this.#deps.index);
    if (outcome.kind === 'invalid') {
      Object.assign(record, { outcome: 'ignored', reason: outcome.reason });
      return conn.close(GatewayCloseCodes.DecodeError, outcome.reason);
    }
    if (outcome.kind === 'ignored') return void Object.assign(record, { outcome: 'ignored', reason: outcome.reason });
    Object.assign(record, { outcome: 'answered', chunks: outcome.chunks.length });
    for (const chunk of outcome.chunks)
      this.#record(session, {
        type: GatewayDispatchEvents.GuildMembersChunk,
        id: outcome.guildId,
        json: JSON.stringify(chunk),
      });
  }

  closed(conn: Connection, code: number, initiator: 'client' | 'server'): void {
    if (initiator === 'client') bump(this.counters.clientCloses, code);
    const shard = conn.countedShard;
    if (shard !== undefined) bump(this.counters.openConnections, shard, -1);
    if (conn.countedGeneration !== undefined)
      bump(this.counters.openConnectionsByGeneration, conn.countedGeneration, -1);
    if (shard !== undefined && this.#connByShard.get(shard) === conn) this.#connByShard.delete(shard);
    const session = conn.session;
    if (!session) return;
    conn.session = undefined;
    if (session.sink === conn) session.sink = undefined;
    const ends = initiator === 'client' ? clientCloseEndsSession(code) : serverCloseEndsSession(code);
    if (ends) this.#end(session);
    else if (!session.sink) this.#startExpiry(session);
  }

  /** Sends op 9; a non-resumable one ends the connection's session, a resumable one only detaches it. */
  invalidate(conn: Connection, resumable: boolean): void {
    conn.sendOp(GatewayOpcodes.InvalidSession, resumable);
    this.counters.invalidSessions++;
    const session = conn.session;
    if (!session) return;
    conn.session = undefined;
    if (session.sink === conn) session.sink = undefined;
    if (resumable) this.#startExpiry(session);
    else this.#end(session);
  }

  /** Assigns a guild event to every live session whose shard owns the guild and whose intents cover it. */
  dispatchToGuild(guildId: string, event: OutgoingEvent): void {
    for (const session of this.#live.values()) {
      if (session.guildIds.has(guildId) && wantsGuildEvent(session.intents, event.type)) this.#record(session, event);
    }
  }

  /** The bot joins guilds: each live session whose shard owns one gets its GUILD_CREATE. */
  addGuilds(count: number): string[] {
    const added = this.#deps.index.addGuilds(count);
    for (const guild of added) {
      for (const session of this.#live.values()) {
        if (shardForGuild(guild.id, session.shardCount) !== session.shardId) continue;
        session.guildIds.add(guild.id);
        if ((session.intents & GatewayIntentBits.Guilds) === 0) continue;
        this.#record(session, {
          type: GatewayDispatchEvents.GuildCreate,
          id: guild.id,
          json: JSON.stringify(guildCreateData(this.#deps.index, guild, 50)),
        });
      }
    }
    // A shard now holding more than its share is closed with 4011, as at identify: the bot must reshard.
    const limit = this.#deps.options.guildsPerShardLimit;
    for (const session of [...this.#live.values()])
      if (limit > 0 && session.guildIds.size > limit) session.sink?.close(GatewayCloseCodes.ShardingRequired);
    this.generation++;
    return added.map((g) => g.id);
  }

  liveSessions(): IterableIterator<Session<Connection>> {
    return this.#live.values();
  }

  connectionFor(shard: number): Connection | undefined {
    return this.#connByShard.get(shard);
  }

  dispose(): void {
    for (const session of this.#live.values()) clearTimeout(session.expiry);
  }

  #record(session: Session<Connection>, event: OutgoingEvent): void {
    this.records.push(session.dispatch(event));
    this.counters.dispatches++;
    bump(this.counters.dispatchesByType, event.type);
  }

  #attach(conn: Connection, session: Session<Connection>): void {
    const previous = session.sink;
    if (previous && previous !== conn) previous.session = undefined;
    clearTimeout(session.expiry);
    session.sink = conn;
    conn.session = session;
    const shard = session.shardId;
    this.#connByShard.set(shard, conn);
    if (conn.countedShard !== undefined) return;
    conn.countedShard = shard;
    const open = bump(this.counters.openConnections, shard);
    if (open > (this.counters.maxConcurrentConnections[shard] ?? 0))
      this.counters.maxConcurrentConnections[shard] = open;
    const key = generationKey(shard, session.shardCount);
    conn.countedGeneration = key;
    const inGeneration = bump(this.counters.openConnectionsByGeneration, key);
    if (inGeneration > (this.counters.maxConcurrentConnectionsByGeneration[key] ?? 0))
      this.counters.maxConcurrentConnectionsByGeneration[key] = inGeneration;
    const total = (this.#connectionsPerShard.get(shard) ?? 0) + 1;
    this.#connectionsPerShard.set(shard, total);
    if (total > 1) this.counters.reconnects++;
  }

  #startExpiry(session: Session<Connection>): void {
    clearTimeout(session.expiry);
    session.expiry = setTimeout(() => this.#end(session), this.#deps.options.sessionTimeoutMs);
    session.expiry.unref();
  }

  #end(session: Session<Connection>): void {
    if (session.ended) return;
    session.ended = true;
    clearTimeout(session.expiry);
    this.#sessionsById.delete(session.id);
    const key = generationKey(session.shardId, session.shardCount);
    if (this.#live.get(key) === session) this.#live.delete(key);
    const sink = session.sink;
    if (sink) sink.session = undefined;
    session.sink = undefined;
    this.generation++;
  }
}
