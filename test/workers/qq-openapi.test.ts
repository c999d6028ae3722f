// Every ctx.qq method once against the emulator, through the QQ proxy core: the client's paths, methods and
// bodies meet the emulated OpenAPI, and the answers come back typed.
import { describe, expect, it } from 'vitest';
import { QQOpenApi } from '../../workers/qq/client.ts';
import { directEgress } from '../../workers/rest/egress.ts';
import { QQProxyCore } from '../../workers/rest/qq-proxy.ts';

const EMU = 'http://qq.emulator.test';

function qq(): QQOpenApi {
  const core = new QQProxyCore({
    apiUrl: `${EMU}/qq/api`,
    tokenUrl: `${EMU}/qq/app/getAppAccessToken`,
    appId: '102000001',
    appSecret: 'qq-test-secret-0123456789abcdefgh',
    egress: directEgress(undefined),
  });
  return new QQOpenApi({ rest: core });
}

describe('the QQ OpenAPI surface against the emulator', () => {
  it('user, guild, members, roles, mute', async () => {
    const api = qq();
    expect((await api.gateway()).url).toMatch(/\/qq\/websocket$/);
    const me = await api.me();
    const [guild] = await api.meGuilds({ limit: 10 });
    expect((await api.guild(guild!.id)).id).toBe(guild!.id);
    const members = await api.guildMembers(guild!.id, { limit: 10 });
    const member = members.find((m) => !m.user?.bot)!;
    expect((await api.guildMember(guild!.id, me.id)).user?.bot).toBe(true);
    const { role_id } = await api.postRole(guild!.id, { name: 'testers', color: 1, hoist: 0 });
    expect((await api.patchRole(guild!.id, role_id, { name: 'qa' })).role.name).toBe('qa');
    await api.memberAddRole(guild!.id, role_id, member.user!.id);
    expect((await api.guildRoleMembers(guild!.id, role_id)).data.map((m) => m.user?.id)).toEqual([member.user!.id]);
    await api.memberDeleteRole(guild!.id, role_id, member.user!.id);
    expect((await api.roles(guild!.id)).roles.some((r) => r.name === 'qa')).toBe(true);
    await api.deleteRole(guild!.id, role_id);
    await api.guildMute(guild!.id, { mute_seconds: '60' });
    await api.memberMute(guild!.id, member.user!.id, { mute_seconds: '60' });
    expect(await api.multiMemberMute(guild!.id, { mute_seconds: '60', user_ids: [member.user!.id] })).toEqual({
      user_ids: [member.user!.id],
    });
    expect((await api.getAPIPermissions(guild!.id)).apis.length).toBe(3);
    const demand = await api.requireAPIPermissions(guild!.id, {
      channel_id: '1',
      api_identify: { path: '/guilds/{guild_id}/mute', method: 'PATCH' },
      desc: 'mute spammers',
    });
    expect(demand.desc).toBe('mute spammers');
    expect((await api.getMessageSetting(guild!.id)).channel_push_max_num).toBe(3);
  });

  it('channels, permissions, audio, messages, reactions, pins, announcements, schedules', async () => {
    const api = qq();
    const [guild] = await api.meGuilds();
    const created = await api.postChannel(guild!.id, { name: 'tmp', type: 0 });
    expect((await api.patchChannel(created.id, { name: 'tmp2' })).name).toBe('tmp2');
    const priv = await api.createPrivateChannel(guild!.id, { name: 'secret' }, ['1']);
    expect(priv.private_type).toBe(2);
    expect(await api.listVoiceChannelMembers(created.id)).toEqual([]);
    expect((await api.channelPermissions(created.id, '1')).permissions).toBe('7');
    await api.putChannelPermissions(created.id, '1', { add: '4' });
    expect((await api.channelRolesPermissions(created.id, '2')).role_id).toBe('2');
    await api.putChannelRolesPermissions(created.id, '2', { remove: '4' });
    expect((await api.postAudio(created.id, { status: 0, audio_url: 'https://a.test/x.mp3' })).status).toBe(0);
    await api.putMic(created.id);
    await api.deleteMic(created.id);
    const msg = await api.postMessage(created.id, { content: 'hello' });
    expect((await api.message(created.id, msg.id)).id).toBe(msg.id);
    expect((await api.messages(created.id, { limit: 5 })).map((m) => m.id)).toEqual([msg.id]);
    expect((await api.patchMessage(created.id, msg.id, { content: 'edited' })).content).toBe('edited');
    await api.createMessageReaction(created.id, msg.id, { id: '4', type: 1 });
    expect((await api.getMessageReactionUsers(created.id, msg.id, { id: '4', type: 1 })).users.length).toBe(1);
    await api.deleteOwnMessageReaction(created.id, msg.id, { id: '4', type: 1 });
    await api.addPins(created.id, msg.id);
    await api.cleanPins(created.id);
    expect((await api.getPins(created.id)).message_ids).toEqual([]);
    expect((await api.createChannelAnnounces(created.id, { message_id: msg.id })).message_id).toBe(msg.id);
    await api.deleteChannelAnnounces(created.id, msg.id);
    await api.createGuildAnnounces(guild!.id, { channel_id: created.id, message_id: msg.id });
    await api.cleanGuildAnnounces(guild!.id);
    const s = await api.createSchedule(created.id, { name: 'standup', start_timestamp: '1', end_timestamp: '2' });
    expect((await api.getSchedule(created.id, s.id!)).name).toBe('standup');
    expect(
      (await api.modifySchedule(created.id, s.id!, { name: 'retro', start_timestamp: '1', end_timestamp: '2' })).name,
    ).toBe('retro');
    expect((await api.listSchedules(created.id)).map((x) => x.name)).toEqual(['retro']);
    await api.deleteSchedule(created.id, s.id!);
    expect((await api.postSettingGuide(created.id, ['1'])).id).toMatch(/^GUIDE_/);
    await api.retractMessage(created.id, msg.id);
    await api.deleteChannel(created.id);
  });

  it('guild DMs: open a session, send, recall, setting guide', async () => {
    const api = qq();
    const [guild] = await api.meGuilds();
    const member = (await api.guildMembers(guild!.id)).find((m) => !m.user?.bot)!;
    const dm = await api.createDirectMessage({ recipient_id: member.user!.id, source_guild_id: guild!.id });
    const sent = await api.postDirectMessage(dm, { content: 'psst' });
    await api.retractDMMessage(dm.guild_id, sent.id);
    expect(typeof (await api.postDMSettingGuide(dm, guild!.id)).id).toBe('string');
  });
});
