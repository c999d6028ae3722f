// The emulated QQ guild (频道) side: one guild the bot is in, its channels, roles, members, pins and
// reactions, and the rich-media files uploaded for group/C2C messages. Deterministic from the seed.
import { createHash, randomBytes } from 'node:crypto';
import type { QQChannel, QQGuild, QQMember, QQRole } from '../../protocol/qq-entities.ts';

const numericId = (seed: string) =>
  BigInt('0x' + createHash('sha256').update(seed).digest('hex').slice(0, 15)).toString();

export interface QQMediaFile {
  file_info: string;
  target: string;
  file_type: number;
}

export class QQGuildWorld {
  readonly guild: QQGuild;
  readonly channels: QQChannel[];
  readonly roles: QQRole[];
  readonly members: QQMember[];
  readonly pins = new Map<string, Set<string>>();
  /** `channel/message/type/id` → user ids that reacted. */
  readonly reactions = new Map<string, Set<string>>();
  /** Message ids the bot sent, by channel (for recall). */
  readonly channelMessages = new Map<string, Set<string>>();
  readonly media = new Map<string, QQMediaFile>();
  /** Send times per channel, for QQ's channel write limit (20028). */
  readonly channelSends = new Map<string, number[]>();
  readonly botUserId: string;
  /** DM sessions opened with POST /users/@me/dms (their guild_id). */
  readonly dms = new Set<string>();
  /** Announcements by channel id, or `guild:{id}` for the guild's. */
  readonly announces = new Map<string, { guild_id: string; channel_id: string; message_id: string }>();
  readonly schedules = new Map<string, { channel: string; schedule: Record<string, unknown> & { id: string } }>();

  constructor(seed: number, appId: string) {
    this.botUserId = numericId(`${seed}:bot:${appId}`);
    const guildId = numericId(`${seed}:guild`);
    this.guild = {
      id: guildId,
      name: 'edgeshard emulator guild',
      icon: '',
      owner_id: numericId(`${seed}:owner`),
      owner: false,
      member_count: 3,
      max_members: 2000,
      description: 'emulated QQ guild',
      joined_at: '2026-01-01T00:00:00+08:00',
    };
    this.channels = ['general', 'announcements'].map((name, i) => ({
      id: numericId(`${seed}:channel:${i}`),
      guild_id: guildId,
      name,
      type: 0 as const,
      position: i,
      parent_id: '',
      owner_id: this.guild.owner_id,
      sub_type: 0 as const,
    }));
    this.roles = [
      { id: '1', name: '普通成员', color: 4278245297, hoist: 0, number: 3, member_limit: 1000 },
      { id: '2', name: '管理员', color: 4294927682, hoist: 1, number: 1, member_limit: 50 },
    ];
    this.members = [this.guild.owner_id, this.botUserId, numericId(`${seed}:member:0`)].map((id, i) => ({
      joined_at: '2026-01-01T00:00:00+08:00',
      nick: i === 1 ? 'emulator bot' : `member ${i}`,
      user: { id, username: i === 1 ? 'emulator bot' : `user${i}`, bot: i === 1 },
      roles: i === 0 ? ['2'] : ['1'],
    }));
  }

  channel(id: string): QQChannel | undefined {
    return this.channels.find((c) => c.id === id);
  }

  member(userId: string): QQMember | undefined {
    return this.members.find((m) => m.user?.id === userId);
  }

  upload(target: string, fileType: number): QQMediaFile {
    const file: QQMediaFile = { file_info: randomBytes(24).toString('base64'), target, file_type: fileType };
    this.media.set(file.file_info, file);
    return file;
  }

  /** Whether one more write to `channelId` is within `limit` per `windowMs`; counts it when it is. */
  channelWrite(channelId: string, limit: number, windowMs: number, now = Date.now()): boolean {
    const sends = (this.channelSends.get(channelId) ?? []).filter((t) => t > now - windowMs);
    if (sends.length >= limit) {
      this.channelSends.set(channelId, sends);
      return false;
    }
    sends.push(now);
    this.channelSends.set(channelId, sends);
    return true;
  }
}
