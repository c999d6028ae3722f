// Event name → payload type, derived from discord-api-types so every Discord dispatch is covered.
import type { GatewayDispatchPayload } from 'discord-api-types/v10';

/** `{ MESSAGE_CREATE: GatewayMessageCreateDispatchData, ... }` with plain string keys. */
export type DiscordEvents = {
  [P in GatewayDispatchPayload as `${P['t']}`]: P['d'];
};

export type DiscordEventName = keyof DiscordEvents;
