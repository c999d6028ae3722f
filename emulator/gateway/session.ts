// A gateway session: its sequence counter and replay buffer. It outlives connections; while detached, events
// are still assigned seqs and buffered (delivered: false) so a Resume can replay them (Discord docs,
// Topics > Gateway > Resuming).
import { Ring } from './ring.ts';

export interface DispatchRecord {
  shard: number;
  session: string;
  seq: number;
  type: string;
  /** data.id when the payload has one. */
  id?: string;
  delivered: boolean;
}

export interface OutgoingEvent {
  type: string;
  id?: string;
  /** The `d` field, serialized once and shared by every session that receives it. */
  json: string;
  /** The same data without message content, for sessions lacking MESSAGE_CONTENT; computed on demand. */
  redactedJson?: () => string;
}

export interface FrameSink {
  sendFrame(frame: string): void;
}

interface Entry {
  seq: number;
  frame: string;
  record: DispatchRecord;
}

export interface SessionInit {
  id: string;
  shardId: number;
  shardCount: number;
  intents: number;
  seesContent: boolean;
  guildIds: Iterable<string>;
  bufferSize: number;
}

export class Session<S extends FrameSink = FrameSink> {
  readonly id: string;
  readonly shardId: number;
  readonly shardCount: number;
  readonly intents: number;
  readonly seesContent: boolean;
  /** Grows when the bot joins a guild this session's shard owns (POST /_emulator/guilds). */
  readonly guildIds: Set<string>;
  seq = 0;
  ended = false;
  sink: S | undefined;
  expiry: ReturnType<typeof setTimeout> | undefined;
  readonly #buffer: Ring<Entry>;

  constructor(init: SessionInit) {
    this.id = init.id;
    this.shardId = init.shardId;
    this.shardCount = init.shardCount;
    this.intents = init.intents;
    this.seesContent = init.seesContent;
    this.guildIds = new Set(init.guildIds);
    this.#buffer = new Ring(init.bufferSize);
  }

  /** Assigns the next seq, buffers the frame and sends it if a connection is attached. */
  dispatch(event: OutgoingEvent): DispatchRecord {
    const seq = ++this.seq;
    const data = !this.seesContent && event.redactedJson ? event.redactedJson() : event.json;
    const frame = `{"op":0,"s":${seq},"t":"${event.type}","d":${data}}`;
    const record: DispatchRecord = { shard: this.shardId, session: this.id, seq, type: event.type, delivered: false };
    if (event.id !== undefined) record.id = event.id;
    this.#buffer.push({ seq, frame, record });
    if (this.sink) {
      this.sink.sendFrame(frame);
      record.delivered = true;
    }
    return record;
  }

  /** Whether a Resume with this seq can be served: nothing after it may have left the buffer. */
  canResumeFrom(seq: unknown): seq is number {
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > this.seq) return false;
    const oldest = this.#buffer.first()?.seq ?? this.seq + 1;
    return seq >= oldest - 1;
  }

  /** Sends every buffered event after `seq` to the attached sink, marking them delivered. */
  replayAfter(seq: number): number {
    const sink = this.sink;
    if (!sink) return 0;
    let sent = 0;
    for (const entry of this.#buffer) {
      if (entry.seq <= seq) continue;
      sink.sendFrame(entry.frame);
      entry.record.delivered = true;
      sent++;
    }
    return sent;
  }
}
