// Message routes: create, edit, delete, react. Limits follow what Discord's headers show in practice (Discord
// publishes the mechanism, not the numbers): 5 messages per 5 s per channel (configurable), edits the same,
// deletes 5 per second with a stricter bucket for messages older than two weeks, reactions 1 per 0.25 s.
import type { APIAttachment, APIEmbed, APIMessage } from 'discord-api-types/v10';
import type { EmulatorCore } from '../core.ts';
import { publishMessage } from '../publish.ts';
import { snowflakeTimestamp } from '../snowflake.ts';
import type { UploadedFile } from './multipart.ts';
import { error, NO_CONTENT, type RouteDef } from './route-types.ts';

const TWO_WEEKS_MS = 14 * 24 * 3600 * 1000;

function validateContent(input: { content?: unknown; embeds?: unknown } | undefined) {
  const content = typeof input?.content === 'string' ? input.content : '';
  const embeds = Array.isArray(input?.embeds) ? (input.embeds as APIEmbed[]) : [];
  if (content.length > 2000) {
    return error(400, 50035, 'Invalid Form Body', {
      errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } },
    });
  }
  return { content, embeds };
}

/**
 * Attachments from uploaded files (Discord docs, Reference > Uploading Files): `attachments[].id` in the
 * JSON refers to n of `files[n]` and may set a description; the files are kept for tests to read back.
 */
export function attachmentsOf(core: EmulatorCore, files: UploadedFile[], described: unknown): APIAttachment[] {
  const meta = Array.isArray(described) ? (described as { id?: unknown; description?: unknown }[]) : [];
  return files.map((file) => {
    const id = core.ids.next();
    core.uploads.set(id, { filename: file.filename, contentType: file.contentType, bytes: file.bytes });
    const description = meta.find((m) => String(m.id) === String(file.index))?.description;
    const url = `${core.urls().url}/attachments/${id}/${encodeURIComponent(file.filename)}`;
    return {
      id,
      filename: file.filename,
      size: file.bytes.byteLength,
      url,
      proxy_url: url,
      content_type: file.contentType,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

export const MESSAGE_ROUTES: RouteDef[] = [
  {
    // Discord docs, Resources > Message > Create Message.
    method: 'POST',
    path: '/channels/:channel_id/messages',
    bucket: (core) => ({ ...core.options.messageLimit, major: 'channel_id' }),
    handle: async ({ core, params, body, files }) => {
      const found = core.index.channel(params.channel_id ?? '');
      if (!found) return error(404, 10003, 'Unknown Channel');
      const input = (await body()) as
        | {
            content?: unknown;
            embeds?: unknown;
            nonce?: unknown;
            attachments?: unknown;
            message_reference?: { message_id?: unknown };
          }
        | undefined;
      const checked = validateContent(input);
      if ('status' in checked) return checked;
      const uploaded = await files();
      if (checked.content.length === 0 && checked.embeds.length === 0 && uploaded.length === 0)
        return error(400, 50006, 'Cannot send an empty message');
      const attachments = attachmentsOf(core, uploaded, input?.attachments);
      const nonce = typeof input?.nonce === 'string' || typeof input?.nonce === 'number' ? input.nonce : undefined;
      // The referenced message's existence is not checked: the emulator keeps no message store.
      const replyTo =
        typeof input?.message_reference?.message_id === 'string' ? input.message_reference.message_id : undefined;
      const message = publishMessage(core, {
        ...(replyTo !== undefined ? { replyTo } : {}),
        channel: found.channel,
        guild: found.guild,
        author: core.index.world.bot,
        content: checked.content,
        embeds: checked.embeds,
        ...(attachments.length > 0 ? { attachments } : {}),
        ...(nonce !== undefined ? { nonce } : {}),
      });
      core.sentMessages.push(message);
      core.counters.messagesSent++;
      return { status: 200, body: message };
    },
  },
  {
    // Discord docs, Resources > Message > Edit Message: only the bot's own messages.
    method: 'PATCH',
    path: '/channels/:channel_id/messages/:message_id',
    bucket: (core) => ({ ...core.options.messageLimit, major: 'channel_id' }),
    handle: async ({ core, state, params, body }) => {
      const original = core.sentMessages.find((m) => m.id === params.message_id && m.channel_id === params.channel_id);
      if (!original || state.deleted.has(original.id)) return error(404, 10008, 'Unknown Message');
      const checked = validateContent((await body()) as { content?: unknown; embeds?: unknown } | undefined);
      if ('status' in checked) return checked;
      const edited: APIMessage = {
        ...original,
        content: checked.content || original.content,
        edited_timestamp: new Date().toISOString(),
      };
      return { status: 200, body: edited };
    },
  },
  {
    // Discord docs, Resources > Message > Delete Message; old messages have a stricter, separate bucket.
    method: 'DELETE',
    path: '/channels/:channel_id/messages/:message_id',
    bucket: (_core, params) =>
      /^\d{1,21}$/.test(params.message_id ?? '') && Date.now() - snowflakeTimestamp(params.message_id!) > TWO_WEEKS_MS
        ? { limit: 1, windowMs: 1000, major: 'channel_id', variant: '(old)' }
        : { limit: 5, windowMs: 1000, major: 'channel_id' },
    handle: ({ core, state, params }) => {
      if (!core.index.channel(params.channel_id ?? '')) return error(404, 10003, 'Unknown Channel');
      const id = params.message_id ?? '';
      if (!/^\d{16,21}$/.test(id) || state.deleted.has(id)) return error(404, 10008, 'Unknown Message');
      state.deleted.add(id);
      return NO_CONTENT;
    },
  },
  {
    // Discord docs, Resources > Message > Create Reaction: one bucket per channel whatever the emoji.
    method: 'PUT',
    path: '/channels/:channel_id/messages/:message_id/reactions/:emoji/@me',
    bucket: () => ({ limit: 1, windowMs: 250, major: 'channel_id' }),
    handle: ({ core, state, params }) => {
      if (!core.index.channel(params.channel_id ?? '')) return error(404, 10003, 'Unknown Channel');
      if (!params.emoji) return error(400, 10014, 'Unknown Emoji');
      state.reactions++;
      return NO_CONTENT;
    },
  },
];
