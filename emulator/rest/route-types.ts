// The shape of a REST route row: template, rate-limit bucket, handler. Limits are data, read by RateLimiter.
import type { EmulatorCore } from '../core.ts';
import type { UploadedFile } from './multipart.ts';
import type { BucketSpec } from './ratelimit.ts';

export interface RestResult {
  status: number;
  body: unknown;
}

/** What the REST API remembers beyond the world: webhooks it created, messages deleted, callbacks made. */
export interface RestState {
  webhooks: Map<string, { id: string; token: string; channelId: string; guildId: string }>;
  deleted: Set<string>;
  interactionCallbacks: number;
  reactions: number;
}

export function createRestState(): RestState {
  return { webhooks: new Map(), deleted: new Set(), interactionCallbacks: 0, reactions: 0 };
}

export interface RouteContext {
  core: EmulatorCore;
  state: RestState;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body, or a multipart body's payload_json. */
  body: () => Promise<unknown>;
  /** The files of a multipart body (Reference > Uploading Files); empty for JSON bodies. */
  files: () => Promise<UploadedFile[]>;
}

export type RouteBucket = Omit<BucketSpec, 'route'> & {
  /** Appended to the route when hashing: a sub-limit with its own bucket (e.g. deleting old messages). */
  variant?: string;
};

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path under /api/v10 with :named parameters. */
  path: string;
  /** false: authorised by a token in the path (interaction callbacks, webhooks); no bot token needed. */
  auth?: false;
  bucket: (core: EmulatorCore, params: Record<string, string>) => RouteBucket;
  handle: (ctx: RouteContext) => RestResult | Promise<RestResult>;
}

// Discord does not publish most per-route numbers; routes without a documented limit get a generous one so
// the headers are present and stable without getting in a client's way.
export const GENEROUS = { limit: 100, windowMs: 1000 };

export const error = (
  status: number,
  code: number,
  message: string,
  extra: Record<string, unknown> = {},
): RestResult => ({
  status,
  body: { message, code, ...extra },
});

export const NO_CONTENT: RestResult = { status: 204, body: null };
