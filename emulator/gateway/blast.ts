// Blast mode, for benchmarks: every live session receives MESSAGE_CREATE dispatches of about `bytes` each,
// as fast as its socket takes them. "Takes" is the point: the blaster only writes while the connection's
// send buffer is under `highWaterBytes`, so a client that stops reading (backpressure) holds the emulator
// back instead of making it buffer without limit, and a client that reads everything it is sent gets
// events as fast as the emulator can deflate them.
//
// Payloads come from a pool of distinct messages (random words, ids, authors) cycled in order: zlib's
// 32 KB window never sees an exact repeat, so compression works as hard as on real traffic. Blast events
// get real seqs and go into the resume buffer, but not into the `dispatched()` records (benchmarks send
// millions).
import { GatewayDispatchEvents } from 'discord-api-types/v10';
import type { EmulatorCounters } from '../counters.ts';
import { bump } from '../counters.ts';
import { buildMessage, messageCreateData } from '../messages.ts';
import { mulberry32 } from '../prng.ts';
import type { WorldIndex } from '../world.ts';
import type { Connection } from './connection.ts';
import { JOINED_AT } from './ready.ts';
import type { Session } from './session.ts';

export interface BlastOptions {
  /** Approximate size of each dispatch's JSON. Default 1024. */
  bytes?: number;
  /** Stop after this long. Default: until stopBlast(). */
  durationMs?: number;
  /** Stop after this many dispatches per shard. Default: no limit. */
  count?: number;
  /** Bytes a connection may have queued before the blaster waits for it. Default 1 MiB. */
  highWaterBytes?: number;
  /** zlib-stream deflate level for the blast (0–9; zlib's default is 6). A low level lets the one-core
   *  emulator send faster than a client can inflate, parse and store: the overload benchmark. */
  level?: number;
  /** Dispatches per second per shard (a steady load); default: as fast as the sockets take them. */
  ratePerShard?: number;
}

export interface BlastStats {
  running: boolean;
  sent: number;
  sentByShard: Record<number, number>;
  elapsedMs: number;
}

export interface BlastHost {
  counters: EmulatorCounters;
  liveSessions(): IterableIterator<Session<Connection>>;
}

const POOL = 1024;
const WORDS = [
  'shard',
  'gateway',
  'resume',
  'edge',
  'worker',
  'spool',
  'ping',
  'pong',
  'guild',
  'channel',
  'zlib',
  'stream',
  'heartbeat',
  'lease',
  'epoch',
  'bucket',
  'hello',
  'ready',
  'dispatch',
  'event',
];

export class Blaster {
  readonly #host: BlastHost;
  readonly #index: WorldIndex;
  #pool: string[] = [];
  #cursor = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stats: BlastStats = { running: false, sent: 0, sentByShard: {}, elapsedMs: 0 };
  #startedAt = 0;
  #options: Required<Pick<BlastOptions, 'bytes' | 'highWaterBytes'>> &
    Pick<BlastOptions, 'durationMs' | 'count' | 'ratePerShard'> = {
    bytes: 1024,
    highWaterBytes: 1 << 20,
  };

  constructor(host: BlastHost, index: WorldIndex) {
    this.#host = host;
    this.#index = index;
  }

  start(options: BlastOptions = {}): void {
    this.stop();
    this.#options = {
      bytes: options.bytes ?? 1024,
      highWaterBytes: options.highWaterBytes ?? 1 << 20,
      ...(options.durationMs === undefined ? {} : { durationMs: options.durationMs }),
      ...(options.count === undefined ? {} : { count: options.count }),
      ...(options.ratePerShard === undefined ? {} : { ratePerShard: options.ratePerShard }),
    };
    if (this.#options.ratePerShard !== undefined && !(this.#options.ratePerShard > 0))
      throw new RangeError('blast ratePerShard must be a positive number');
    if (!(this.#options.bytes >= 200 && this.#options.bytes <= 60_000))
      throw new RangeError('blast bytes must be between 200 and 60000');
    this.#pool = this.#buildPool(this.#options.bytes);
    if (options.level !== undefined) {
      if (!Number.isInteger(options.level) || options.level < 0 || options.level > 9)
        throw new RangeError('blast level must be an integer 0–9');
      for (const session of this.#host.liveSessions()) session.sink?.setCompressionLevel(options.level);
    }
    this.#stats = { running: true, sent: 0, sentByShard: {}, elapsedMs: 0 };
    this.#startedAt = Date.now();
    this.#loop();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stats.running) this.#stats.elapsedMs = Date.now() - this.#startedAt;
    this.#stats.running = false;
  }

  stats(): BlastStats {
    const elapsedMs = this.#stats.running ? Date.now() - this.#startedAt : this.#stats.elapsedMs;
    return { ...this.#stats, sentByShard: { ...this.#stats.sentByShard }, elapsedMs };
  }

  #loop(): void {
    if (!this.#stats.running) return;
    const { durationMs, count, highWaterBytes, ratePerShard } = this.#options;
    if (durationMs !== undefined && Date.now() - this.#startedAt >= durationMs) return this.stop();
    let wrote = 0;
    let active = 0;
    const started = Date.now();
    // With a rate, each shard may have sent this many by now (a steady schedule, caught up after a stall).
    const due = ratePerShard === undefined ? Infinity : Math.floor(((started - this.#startedAt) * ratePerShard) / 1000);
    let behind = false;
    for (const session of this.#host.liveSessions()) {
      const conn = session.sink;
      const done = this.#stats.sentByShard[session.shardId] ?? 0;
      if (count !== undefined && done >= count) continue;
      active++;
      if (!conn || !conn.open) continue;
      // A burst per session per turn, so every shard gets its share and timers still run in between.
      for (let i = 0; i < 256 && conn.ws.bufferedAmount < highWaterBytes; i++) {
        const sent = this.#stats.sentByShard[session.shardId] ?? 0;
        if (count !== undefined && sent >= count) break;
        if (sent >= due) break;
        session.dispatch({ type: GatewayDispatchEvents.MessageCreate, json: this.#pool[this.#cursor++ % POOL]! });
        bump(this.#stats.sentByShard, session.shardId);
        this.#stats.sent++;
        wrote++;
      }
      if ((this.#stats.sentByShard[session.shardId] ?? 0) < due) behind = true;
      if (Date.now() - started > 20) break;
    }
    this.#host.counters.dispatches += wrote;
    if (count !== undefined && active === 0) return this.stop();
    // Sockets full (or nothing to send to): look again shortly instead of spinning.
    // At a fixed rate, the next turn comes when about one more event per shard is due.
    const pace = ratePerShard === undefined || behind ? 0 : Math.max(1, Math.floor(1000 / ratePerShard));
    this.#timer = wrote > 0 || pace > 0 ? setTimeout(() => this.#loop(), pace) : setTimeout(() => this.#loop(), 2);
  }

  #buildPool(bytes: number): string[] {
    const random = mulberry32(0x62_6c_61_73);
    const { world } = this.#index;
    const pool: string[] = [];
    for (let i = 0; i < POOL; i++) {
      const guild = world.guilds[i % Math.max(1, world.guilds.length)];
      const channel = guild?.channels[i % guild.channels.length];
      const author = world.users[Math.floor(random() * world.users.length)];
      if (!guild || !channel || !author) throw new RangeError('blast needs a world with guilds, channels and users');
      const id = String(1_300_000_000_000_000_000n + BigInt(i) * 4_194_304n + BigInt(Math.floor(random() * 4_000_000)));
      const base = JSON.stringify(
        messageCreateData(
          buildMessage({ id, channel, author, content: '', timestamp: 1_735_689_600_000 + i }),
          guild.id,
          JOINED_AT,
        ),
      );
      let content = '';
      while (content.length < bytes - base.length) content += `${WORDS[Math.floor(random() * WORDS.length)]} `;
      pool.push(
        JSON.stringify(
          messageCreateData(
            buildMessage({ id, channel, author, content: content.trimEnd(), timestamp: 1_735_689_600_000 + i }),
            guild.id,
            JOINED_AT,
          ),
        ),
      );
    }
    return pool;
  }
}
