// The seeded world: application, bot user, users, guilds and their text channels. Plain data, so the control
// API can return it as JSON; lookups go through WorldIndex.
import { mulberry32, pick, type Random } from './prng.ts';
import { shardForGuild, snowflake } from './snowflake.ts';

export interface WorldUser {
  id: string;
  username: string;
  global_name: string;
  bot: boolean;
}
export interface WorldChannel {
  id: string;
  guild_id: string;
  name: string;
  position: number;
}
export interface WorldGuild {
  id: string;
  name: string;
  owner_id: string;
  channels: WorldChannel[];
  member_ids: string[];
}
export interface World {
  seed: number;
  application: { id: string; name: string; flags: number };
  bot: WorldUser;
  users: WorldUser[];
  guilds: WorldGuild[];
}

export interface WorldShape {
  seed: number;
  guilds: number;
  channelsPerGuild: number;
  users: number;
}

// 720720 = lcm(1..16): guild i gets timestamp base + i, so (id >> 22) % n === i % n for every shard count
// that divides 720720 (all counts up to 16 and most larger ones), spreading guilds evenly over shards.
const GUILD_BASE_MS = Math.floor(1_700_000_000_000 / 720_720) * 720_720;
const CHANNEL_BASE_MS = 1_700_100_000_000;
const USER_BASE_MS = 1_600_000_000_000;

const ADJECTIVES = ['quiet', 'brave', 'lucky', 'amber', 'rapid', 'misty', 'cosmic', 'sunny', 'frozen', 'velvet'];
const NOUNS = ['otter', 'harbor', 'falcon', 'meadow', 'comet', 'lantern', 'forest', 'pixel', 'river', 'summit'];
const CHANNELS = ['general', 'random', 'help', 'dev', 'memes', 'music', 'games', 'news', 'art', 'ideas'];

function name(random: Random, sep: string): string {
  return `${pick(random, ADJECTIVES)}${sep}${pick(random, NOUNS)}`;
}

export function buildWorld(shape: WorldShape): World {
  const random = mulberry32(shape.seed);
  const bot: WorldUser = {
    id: snowflake(USER_BASE_MS, 2),
    username: 'edgeshard-bot',
    global_name: 'Edgeshard Bot',
    bot: true,
  };
  const users: WorldUser[] = [];
  for (let i = 0; i < shape.users; i++) {
    const username = `${name(random, '_')}${i}`;
    users.push({
      id: snowflake(USER_BASE_MS + 1 + i, 3),
      username,
      global_name: username.replace('_', ' '),
      bot: false,
    });
  }
  const guilds: WorldGuild[] = [];
  for (let g = 0; g < shape.guilds; g++) {
    const id = snowflake(GUILD_BASE_MS + g, 1);
    const channels: WorldChannel[] = [];
    for (let c = 0; c < shape.channelsPerGuild; c++) {
      const base = CHANNELS[c % CHANNELS.length] ?? 'channel';
      const channelName = c < CHANNELS.length ? base : `${base}-${Math.floor(c / CHANNELS.length)}`;
      channels.push({ id: snowflake(CHANNEL_BASE_MS + g * 1000 + c, 4), guild_id: id, name: channelName, position: c });
    }
    const owner = users[Math.floor(random() * users.length)] ?? bot;
    guilds.push({
      id,
      name: `${name(random, ' ')} ${g}`,
      owner_id: owner.id,
      channels,
      member_ids: users.map((u) => u.id),
    });
  }
  guildsShape.set(guilds, shape.channelsPerGuild);
  return { seed: shape.seed, application: { id: bot.id, name: 'edgeshard', flags: 0 }, bot, users, guilds };
}

/** Channels per guild of each world's guild list, for guilds added later. */
const guildsShape = new WeakMap<WorldGuild[], number>();

/** Discord recommends about one shard per 1,000 guilds (Topics > Gateway > Sharding). */
export const RECOMMENDED_GUILDS_PER_SHARD = 1_000;

// Fast lookups over a World; built once at start, grown by addGuilds.
export class WorldIndex {
  readonly world: World;
  readonly #channels = new Map<string, { channel: WorldChannel; guild: WorldGuild }>();
  readonly #users = new Map<string, WorldUser>();

  constructor(world: World) {
    this.world = world;
    for (const guild of world.guilds)
      for (const channel of guild.channels) this.#channels.set(channel.id, { channel, guild });
    for (const user of [world.bot, ...world.users]) this.#users.set(user.id, user);
  }

  channel(id: string): { channel: WorldChannel; guild: WorldGuild } | undefined {
    return this.#channels.get(id);
  }

  user(id: string): WorldUser | undefined {
    return this.#users.get(id);
  }

  /** The bot joins `count` more guilds (ids continue the world's pattern, so shards stay even). */
  addGuilds(count: number): WorldGuild[] {
    const { guilds, users, bot } = this.world;
    const perGuild = guildsShape.get(guilds) ?? 3;
    const added: WorldGuild[] = [];
    for (let i = 0; i < count; i++) {
      const g = guilds.length;
      const id = snowflake(GUILD_BASE_MS + g, 1);
      const channels = Array.from({ length: perGuild }, (_, c) => ({
        id: snowflake(CHANNEL_BASE_MS + g * 1000 + c, 4),
        guild_id: id,
        name: CHANNELS[c % CHANNELS.length] ?? 'channel',
        position: c,
      }));
      const guild = {
        id,
        name: `joined ${g}`,
        owner_id: (users[0] ?? bot).id,
        channels,
        member_ids: users.map((u) => u.id),
      };
      guilds.push(guild);
      for (const channel of channels) this.#channels.set(channel.id, { channel, guild });
      added.push(guild);
    }
    return added;
  }

  guildsForShard(shardId: number, shardCount: number): WorldGuild[] {
    return this.world.guilds.filter((g) => shardForGuild(g.id, shardCount) === shardId);
  }
}
