// Sends one signed interaction to the Worker's /interactions and applies the answer the way Discord would
// (Discord docs, Interactions > Receiving and Responding > Interaction Response Object): a type 4 reply
// becomes the original message in the channel (unless ephemeral), type 5 waits for an edit, type 7 is an
// update of the component's message, type 9 opens a modal.
import type { APIAttachment, APIMessage } from 'discord-api-types/v10';
import type { EmulatorCore } from '../core.ts';
import { publishMessage } from '../publish.ts';
import { buildInteraction, type InteractionInput, type InteractionPlace } from './build.ts';
import { deliverSigned, type WebhookTarget } from './deliver.ts';
import type { SigningKey } from './keys.ts';
import type { InteractionRecord, InteractionStore } from './store.ts';

const EPHEMERAL = 1 << 6;

export interface InteractionsDeps {
  core: EmulatorCore;
  store: InteractionStore;
  key: SigningKey;
  target: WebhookTarget;
}

interface MessageData {
  content?: string;
  embeds?: unknown[];
  flags?: number;
  /** From uploaded files (Reference > Uploading Files), built by the route that received them. */
  attachments?: APIAttachment[];
}

/** Creates a message from an interaction (response, follow-up); ephemeral ones are not posted to the channel. */
export function interactionMessage(deps: InteractionsDeps, record: InteractionRecord, data: MessageData): APIMessage {
  const found = deps.core.index.channel(record.channelId)!;
  const content = typeof data.content === 'string' ? data.content : '';
  if (((data.flags ?? 0) & EPHEMERAL) !== 0) {
    return {
      id: deps.core.ids.next(),
      channel_id: record.channelId,
      content,
      flags: EPHEMERAL,
      attachments: data.attachments ?? [],
      author: {
        id: deps.core.index.world.bot.id,
        username: deps.core.index.world.bot.username,
        discriminator: '0',
        global_name: null,
        avatar: null,
        bot: true,
      },
    } as unknown as APIMessage;
  }
  const message = publishMessage(deps.core, {
    channel: found.channel,
    guild: found.guild,
    author: deps.core.index.world.bot,
    content,
    embeds: [],
    ...(data.attachments?.length ? { attachments: data.attachments } : {}),
  });
  deps.core.sentMessages.push(message);
  return message;
}

export function applyResponse(deps: InteractionsDeps, record: InteractionRecord, response: unknown): void {
  const r = response as { type?: number; data?: MessageData } | null;
  if (r?.type === 4 && r.data) record.original = interactionMessage(deps, record, r.data);
}

export async function sendInteraction(
  deps: InteractionsDeps,
  input: InteractionInput,
  place: InteractionPlace = {},
): Promise<InteractionRecord> {
  const url = `${deps.target.require('an interaction')}/interactions`;
  const built = buildInteraction(deps.core, input, place);
  const body = JSON.stringify(built.interaction);
  const record: InteractionRecord = {
    id: built.interaction.id,
    token: built.interaction.token,
    type: built.interaction.type,
    name: built.name,
    channelId: built.channelId,
    guildId: built.guildId,
    sentAt: Date.now(),
    status: 0,
    response: undefined,
    edits: 0,
    deleted: false,
    followUps: [],
  };
  // Registered before sending, so the Worker's follow-ups and edits (which may arrive before its answer
  // to a deferred interaction) find it.
  deps.store.add(record);
  // Discord gives the endpoint 3 seconds; the emulator is lenient (a loaded test machine), but records it.
  const delivery = await deliverSigned(url, body, deps.key, {
    'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
  });
  record.status = delivery.status;
  record.response = delivery.body;
  if (delivery.status === 200) applyResponse(deps, record, delivery.body);
  return record;
}
