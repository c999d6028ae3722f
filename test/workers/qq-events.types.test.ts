// onQQ infers the payload from the event name for every QQ event, botgo's and the group/C2C ones.
import { describe, expectTypeOf, it } from 'vitest';
import type { QQChannel, QQGuild, QQMessage } from '../../protocol/qq-entities.ts';
import type {
  QQAudioEvent,
  QQEnterAioEvent,
  QQEventName,
  QQForumAuditEvent,
  QQForumPostEvent,
  QQForumReplyEvent,
  QQForumThreadEvent,
  QQGuildMemberEvent,
  QQMessageAuditEvent,
  QQMessageReactionEvent,
  QQReadyEvent,
  QQSubscribeMessageStatusEvent,
} from '../../protocol/qq-events.ts';
import { QQ_EVENT_INTENTS } from '../../protocol/qq-events.ts';
import type { QQFriendEvent, QQGroupRobotEvent, QQMessageDeleteEvent } from '../../protocol/qq.ts';
import { onQQ } from '../../workers/dispatch/registry.ts';

describe('QQ event types', () => {
  it('guild, channel and member events', () => {
    onQQ('GUILD_CREATE', (g) => expectTypeOf(g).toEqualTypeOf<QQGuild>());
    onQQ('GUILD_UPDATE', (g) => expectTypeOf(g.member_count).toBeNumber());
    onQQ('CHANNEL_DELETE', (c) => expectTypeOf(c).toEqualTypeOf<QQChannel>());
    onQQ('GUILD_MEMBER_ADD', (m) => {
      expectTypeOf(m).toEqualTypeOf<QQGuildMemberEvent>();
      expectTypeOf(m.user.id).toBeString();
    });
  });

  it('messages, deletes, reactions, audit', () => {
    onQQ('MESSAGE_CREATE', (m) => expectTypeOf(m).toEqualTypeOf<QQMessage>());
    onQQ('DIRECT_MESSAGE_CREATE', (m) => expectTypeOf(m.guild_id).toBeString());
    onQQ('DIRECT_MESSAGE_DELETE', (d) => expectTypeOf(d).toEqualTypeOf<QQMessageDeleteEvent>());
    onQQ('PUBLIC_MESSAGE_DELETE', (d) => expectTypeOf(d.op_user.id).toBeString());
    onQQ('MESSAGE_REACTION_ADD', (r) => {
      expectTypeOf(r).toEqualTypeOf<QQMessageReactionEvent>();
      expectTypeOf(r.emoji.type).toEqualTypeOf<1 | 2>();
    });
    onQQ('MESSAGE_AUDIT_REJECT', (a) => expectTypeOf(a).toEqualTypeOf<QQMessageAuditEvent>());
  });

  it('audio, forum, group/C2C and lifecycle events', () => {
    onQQ('AUDIO_ON_MIC', (a) => expectTypeOf(a).toEqualTypeOf<QQAudioEvent>());
    onQQ('FORUM_THREAD_CREATE', (t) => expectTypeOf(t).toEqualTypeOf<QQForumThreadEvent>());
    onQQ('FORUM_POST_DELETE', (p) => expectTypeOf(p).toEqualTypeOf<QQForumPostEvent>());
    onQQ('FORUM_REPLY_CREATE', (r) => expectTypeOf(r).toEqualTypeOf<QQForumReplyEvent>());
    onQQ('FORUM_PUBLISH_AUDIT_RESULT', (r) => expectTypeOf(r).toEqualTypeOf<QQForumAuditEvent>());
    onQQ('GROUP_ADD_ROBOT', (g) => expectTypeOf(g).toEqualTypeOf<QQGroupRobotEvent>());
    onQQ('FRIEND_DEL', (f) => expectTypeOf(f).toEqualTypeOf<QQFriendEvent>());
    onQQ('SUBSCRIBE_MESSAGE_STATUS', (s) => expectTypeOf(s).toEqualTypeOf<QQSubscribeMessageStatusEvent>());
    onQQ('ENTER_AIO', (e) => expectTypeOf(e).toEqualTypeOf<QQEnterAioEvent>());
    onQQ('READY', (r) => expectTypeOf(r).toEqualTypeOf<QQReadyEvent>());
    onQQ('RESUMED', (r) => expectTypeOf(r).toEqualTypeOf<string>());
  });

  it('every event but READY/RESUMED names the intent that delivers it', () => {
    expectTypeOf<keyof typeof QQ_EVENT_INTENTS>().toEqualTypeOf<Exclude<QQEventName, 'READY' | 'RESUMED'>>();
  });

  it('unknown names are refused', () => {
    // @ts-expect-error: not a QQ event
    onQQ('GUILD_BAN_ADD', () => undefined);
    // @ts-expect-error: the payload of AT_MESSAGE_CREATE is a message, not a group event
    onQQ('AT_MESSAGE_CREATE', (m: QQGroupRobotEvent) => m);
  });
});
