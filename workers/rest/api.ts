// The whole Discord API, typed: @discordjs/core's `API` (grouped methods for every route, typed from
// discord-api-types) running on our DiscordRest, so every call goes through the REST proxy Durable Object.
// `API` only calls rest.get/post/put/patch/delete(route, options), which DiscordRest implements.
import { API } from '@discordjs/core/http-only';
import type { DiscordRest } from './client.ts';

export { API };

export function discordApi(rest: DiscordRest): API {
  return new API(rest as unknown as ConstructorParameters<typeof API>[0]);
}
