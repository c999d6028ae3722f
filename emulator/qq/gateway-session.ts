// One QQ gateway session: its id, shard, intents, the sequence it has reached and the events it was sent,
// kept for replay after a Resume (事件订阅与通知 > WebSocket 方式 > 恢复连接: "断开之后短时间内重连会补发中间遗漏的事件").
import { randomUUID } from 'node:crypto';

export interface QQSentFrame {
  op: 0;
  id?: string;
  s: number;
  t: string;
  d: unknown;
}

export class QQGatewaySession {
  readonly id = randomUUID();
  readonly shard: [id: number, count: number];
  readonly intents: number;
  seq = 0;
  /** When the last connection of this session closed; null while one is open. */
  detachedAt: number | null = null;
  readonly #buffer: QQSentFrame[] = [];
  readonly #bufferSize: number;

  constructor(shard: [number, number], intents: number, bufferSize: number) {
    this.shard = shard;
    this.intents = intents;
    this.#bufferSize = bufferSize;
  }

  /** The next frame of this session: numbered and kept for replay. */
  frame(t: string, d: unknown, id?: string): QQSentFrame {
    const f: QQSentFrame = { op: 0, ...(id === undefined ? {} : { id }), s: ++this.seq, t, d };
    this.#buffer.push(f);
    if (this.#buffer.length > this.#bufferSize) this.#buffer.shift();
    return f;
  }

  /** Frames after `seq`, or null when some of them are no longer buffered (or `seq` is in the future). */
  after(seq: number): QQSentFrame[] | null {
    if (seq > this.seq) return null;
    const first = this.#buffer[0];
    if (seq < this.seq && (!first || first.s > seq + 1)) return null;
    return this.#buffer.filter((f) => f.s > seq);
  }
}
