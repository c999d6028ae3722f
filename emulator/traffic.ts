// The traffic generator: MESSAGE_CREATE at a set rate from seeded users, round-robin over the channels of every
// guild that has a live session (so consecutive messages land on different guilds and shards). A 10 ms timer
// catches up on elapsed time, so rates far above 100/s work and a stalled event loop is made up for.
import type { EmulatorCore } from './core.ts';
import { mulberry32, type Random } from './prng.ts';
import { publishMessage } from './publish.ts';
import type { WorldChannel, WorldGuild } from './world.ts';

const TICK_MS = 10;

export class TrafficGenerator {
  readonly #core: EmulatorCore;
  readonly #random: Random;
  #rate = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #baseline = 0;
  #emitted = 0;
  #count = 0;
  #cursor = 0;
  #generation = -1;
  #targets: { channel: WorldChannel; guild: WorldGuild }[] = [];

  constructor(core: EmulatorCore) {
    this.#core = core;
    // Its own stream, derived from the seed, so message authors do not depend on how the world was drawn.
    this.#random = mulberry32(core.options.seed ^ 0x5bd1e995);
  }

  get rate(): number {
    return this.#rate;
  }

  setRate(rate: number): void {
    if (!Number.isFinite(rate) || rate < 0) throw new RangeError('message rate must be a non-negative number');
    this.#rate = rate;
    this.#baseline = Date.now();
    this.#emitted = 0;
    if (rate > 0 && !this.#timer) {
      this.#timer = setInterval(() => this.tick(), TICK_MS);
      this.#timer.unref();
    } else if (rate === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  stop(): void {
    this.setRate(0);
  }

  tick(now = Date.now()): void {
    let due = Math.floor(((now - this.#baseline) * this.#rate) / 1000) - this.#emitted;
    // More than a second behind: the loop stalled badly; drop the backlog instead of a burst.
    if (due > Math.max(this.#rate, 1)) {
      this.#baseline = now;
      this.#emitted = 0;
      due = 0;
    }
    if (due <= 0) return;
    this.#emitted += due;
    const targets = this.#liveTargets();
    if (targets.length === 0) return;
    const users = this.#core.index.world.users;
    for (let i = 0; i < due; i++) {
      const target = targets[this.#cursor++ % targets.length];
      const author = users[Math.floor(this.#random() * users.length)];
      if (!target || !author) return;
      publishMessage(this.#core, {
        channel: target.channel,
        guild: target.guild,
        author,
        content: `msg-${++this.#count}`,
      });
    }
  }

  #liveTargets(): { channel: WorldChannel; guild: WorldGuild }[] {
    const hub = this.#core.hub;
    if (hub.generation === this.#generation) return this.#targets;
    this.#generation = hub.generation;
    const live = new Set<string>();
    for (const session of hub.liveSessions()) for (const id of session.guildIds) live.add(id);
    const guilds = this.#core.index.world.guilds.filter((g) => live.has(g.id));
    const width = Math.max(0, ...guilds.map((g) => g.channels.length));
    const targets: { channel: WorldChannel; guild: WorldGuild }[] = [];
    // Interleave: channel 0 of every guild, then channel 1 of every guild, ...
    for (let c = 0; c < width; c++) {
      for (const guild of guilds) {
        const channel = guild.channels[c];
        if (channel) targets.push({ channel, guild });
      }
    }
    this.#targets = targets;
    return targets;
  }
}
