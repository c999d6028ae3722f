// The QQ platform side of webhooks: signed callbacks to the bot's URL (QQ 机器人文档, 事件订阅与通知 >
// Webhook方式). Every request carries X-Signature-Ed25519 / X-Signature-Timestamp, X-Bot-Appid and the
// QQBot-Callback user agent; dispatches expect {"op":12,"d":0}, op 13 expects the signed plain_token.
import { randomBytes } from 'node:crypto';
import type { QQC2CMessage, QQGroupAtMessage, QQPayload, QQValidationResponse } from '../../protocol/qq.ts';
import { deliverSigned, type WebhookTarget } from '../interactions/deliver.ts';
import type { QQEventRecord, QQState } from './state.ts';
import type { QQGateway } from './gateway.ts';

export interface QQDeps {
  state: QQState;
  target: WebhookTarget;
  gateway?: QQGateway;
}

/** How an event reaches the bot: its webhook, its websocket sessions, or both (the same event id both ways);
 *  `none` only records the message, for API tests that reply to a message no handler saw. */
export type QQVia = 'webhook' | 'websocket' | 'both' | 'none';

const headers = (state: QQState) => ({ 'x-bot-appid': state.appId, 'user-agent': 'QQBot-Callback' });
/** RFC 3339 with the +08:00 offset QQ uses. */
const timestamp = () => new Date(Date.now() + 8 * 3600_000).toISOString().replace(/\.\d+Z$/, '+08:00');

/** Default: the webhook when a Worker URL is known, else the websocket. */
function resolveVia(deps: QQDeps, via: QQVia | undefined): QQVia {
  return via ?? (deps.target.url ? 'webhook' : 'websocket');
}

export async function sendEvent(
  deps: QQDeps,
  t: string,
  d: unknown,
  options: { via?: QQVia; routeKey?: string } = {},
): Promise<QQEventRecord> {
  const id = `${t}:${randomBytes(16).toString('hex')}`;
  const via = resolveVia(deps, options.via);
  if (via === 'none') {
    const record: QQEventRecord = { id, op: 0, t, status: 0, response: null, acked: false };
    deps.state.events.push(record);
    return record;
  }
  let websocket = false;
  if (via !== 'webhook') {
    if (!deps.gateway) throw new RangeError('the QQ websocket gateway is not running');
    websocket = deps.gateway.publish(t, d, id, options.routeKey ?? '');
    if (!websocket && via === 'websocket')
      throw new RangeError(`no QQ websocket session subscribed to ${t} for this target: connect a QQ shard first`);
  }
  if (via === 'websocket') {
    const record: QQEventRecord = { id, op: 0, t, status: 0, response: null, acked: false, via: 'websocket' };
    deps.state.events.push(record);
    return record;
  }
  const url = `${deps.target.require('a QQ callback')}/webhooks/qq`;
  const payload: QQPayload = { id, op: 0, d, t };
  deps.state.counters.eventsSent++;
  const delivery = await deliverSigned(url, JSON.stringify(payload), deps.state.key, headers(deps.state));
  const ack = delivery.body as { op?: unknown; d?: unknown } | null;
  const acked = delivery.status === 200 && ack?.op === 12;
  if (acked) deps.state.counters.eventsAcked++;
  const record: QQEventRecord = {
    id,
    op: 0,
    t,
    status: delivery.status,
    response: delivery.body,
    acked,
    via: websocket ? 'both' : 'webhook',
  };
  deps.state.events.push(record);
  return record;
}

/** A user @-mentions the bot in a group (or writes to it one to one). */
export async function say(
  deps: QQDeps,
  input: { content: string; scene?: 'group' | 'c2c'; groupOpenid?: string; memberIndex?: number; via?: QQVia },
): Promise<{ event: QQEventRecord; message: QQGroupAtMessage | QQC2CMessage }> {
  const { state } = deps;
  const id = `ROBOT1.0_${randomBytes(18).toString('base64url')}`;
  if (input.scene === 'c2c') {
    const user = state.users[input.memberIndex ?? 0]!;
    const message: QQC2CMessage = { id, author: { user_openid: user }, content: input.content, timestamp: timestamp() };
    state.delivered.set(id, { scene: 'c2c', target: user, at: Date.now(), replies: new Set() });
    const options = { routeKey: user, ...(input.via ? { via: input.via } : {}) };
    return { event: await sendEvent(deps, 'C2C_MESSAGE_CREATE', message, options), message };
  }
  const group = input.groupOpenid ? state.group(input.groupOpenid) : state.groups[0];
  if (!group) throw new RangeError(`unknown group_openid ${input.groupOpenid ?? ''}`);
  const member = group.member_openids[input.memberIndex ?? 0] ?? group.member_openids[0]!;
  // QQ strips the @-mention and keeps the space after it.
  const message: QQGroupAtMessage = {
    id,
    author: { member_openid: member },
    content: ` ${input.content}`,
    timestamp: timestamp(),
    group_openid: group.group_openid,
    group_id: group.group_openid,
  };
  state.delivered.set(id, { scene: 'group', target: group.group_openid, at: Date.now(), replies: new Set() });
  const options = { routeKey: group.group_openid, ...(input.via ? { via: input.via } : {}) };
  return { event: await sendEvent(deps, 'GROUP_AT_MESSAGE_CREATE', message, options), message };
}

/** op 13: what QQ does when the callback URL is saved in the console; `ok` when the answer is right. */
export async function validate(
  deps: QQDeps,
): Promise<{ ok: boolean; status: number; response: unknown; reason?: string }> {
  const url = `${deps.target.require('a QQ validation')}/webhooks/qq`;
  const plain_token = randomBytes(15).toString('base64url');
  const event_ts = String(Math.floor(Date.now() / 1000));
  deps.state.counters.validations++;
  const delivery = await deliverSigned(
    url,
    JSON.stringify({ d: { plain_token, event_ts }, op: 13 }),
    deps.state.key,
    headers(deps.state),
  );
  const answer = delivery.body as Partial<QQValidationResponse> | null;
  let reason: string | undefined;
  if (delivery.status !== 200) reason = `answered ${delivery.status}`;
  else if (answer?.plain_token !== plain_token) reason = 'plain_token not echoed';
  else if (typeof answer.signature !== 'string' || !deps.state.key.verify(event_ts + plain_token, answer.signature))
    reason = 'signature does not verify with the app key';
  return { ok: reason === undefined, status: delivery.status, response: delivery.body, ...(reason ? { reason } : {}) };
}
