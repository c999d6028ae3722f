// What the emulator remembers about interactions: every interaction it sent with the Worker's answer and
// what followed (original message, edits, follow-ups), and the application commands registered through REST.
import type { APIApplicationCommand, APIMessage } from 'discord-api-types/v10';

export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  /** Command name or custom_id. */
  name: string;
  channelId: string;
  guildId: string;
  sentAt: number;
  /** HTTP status of the Worker's answer, and the answer (the interaction response). */
  status: number;
  response: unknown;
  /** Set by the callback route when the bot answered through REST instead (gateway-delivered interactions). */
  callback?: unknown;
  /** The response message: from a type 4 reply, or the first edit of a deferred reply. */
  original?: APIMessage;
  edits: number;
  deleted: boolean;
  followUps: APIMessage[];
}

export class InteractionStore {
  readonly records: InteractionRecord[] = [];
  readonly #byToken = new Map<string, InteractionRecord>();
  readonly #byId = new Map<string, InteractionRecord>();
  readonly globalCommands: APIApplicationCommand[] = [];
  readonly guildCommands = new Map<string, APIApplicationCommand[]>();

  add(record: InteractionRecord): void {
    this.records.push(record);
    this.#byToken.set(record.token, record);
    this.#byId.set(record.id, record);
  }

  byToken(token: string): InteractionRecord | undefined {
    return this.#byToken.get(token);
  }

  byId(id: string): InteractionRecord | undefined {
    return this.#byId.get(id);
  }

  /** A message by id among the interactions' messages (for PATCH/DELETE of follow-ups). */
  message(record: InteractionRecord, id: string): APIMessage | undefined {
    if (id === '@original' || record.original?.id === id) return record.original;
    return record.followUps.find((m) => m.id === id);
  }
}
