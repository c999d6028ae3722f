// Message builders for QQ's send APIs (消息 > 发送消息 and 消息格式): text, markdown (custom or from a
// template), keyboard (消息按钮), ark, embed and rich media, each typed, and `checkMessage`, which every
// send in client.ts runs first, so a malformed message fails here with the fix instead of as a QQ error.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import {
  QQ_MSG_TYPE,
  type QQArk,
  type QQButton,
  type QQButtonAction,
  type QQEmbed,
  type QQKeyboard,
  type QQKeyboardRow,
  type QQMarkdown,
  type QQMedia,
  type QQV2MessageBody,
} from './types/message.ts';

/** A message QQ would refuse, found before sending. */
export class QQMessageInvalidError extends EdgeshardError {
  constructor(message: string) {
    super(ERROR_CODES.MALFORMED_PAYLOAD, `QQ message not sent: ${message}`);
  }
}

const MAX_ROWS = 5;
const MAX_BUTTONS_PER_ROW = 5;

function fail(message: string): never {
  throw new QQMessageInvalidError(message);
}

type Body = Omit<QQV2MessageBody, 'msg_id' | 'msg_seq'>;

export const qqMessage = {
  text: (content: string): Body => ({ msg_type: QQ_MSG_TYPE.text, content }),
  /** Markdown the bot writes (自定义 markdown), optionally with a keyboard under it. */
  markdown: (content: string, keyboard?: QQKeyboard): Body => ({
    msg_type: QQ_MSG_TYPE.markdown,
    markdown: { content },
    ...(keyboard ? { keyboard } : {}),
  }),
  /** Markdown from a console template: `params` fills its `{{.key}}` placeholders. */
  markdownTemplate: (templateId: string, params: Record<string, string | string[]>, keyboard?: QQKeyboard): Body => ({
    msg_type: QQ_MSG_TYPE.markdown,
    markdown: {
      custom_template_id: templateId,
      params: Object.entries(params).map(([key, v]) => ({ key, values: Array.isArray(v) ? v : [v] })),
    },
    ...(keyboard ? { keyboard } : {}),
  }),
  ark: (templateId: number, kv: QQArk['kv']): Body => ({
    msg_type: QQ_MSG_TYPE.ark,
    ark: { template_id: templateId, kv },
  }),
  embed: (embed: QQEmbed): Body => ({ msg_type: QQ_MSG_TYPE.embed, embed }),
  /** Rich media from an upload's `file_info` (ctx.qq.uploadGroupMedia / uploadC2CMedia); `content` is a caption. */
  media: (media: QQMedia, content?: string): Body => ({
    msg_type: QQ_MSG_TYPE.media,
    media,
    ...(content === undefined ? {} : { content }),
  }),
};

const EVERYONE: QQButtonAction['permission'] = { type: 2 };

/** Buttons: `callback` raises INTERACTION_CREATE with `data`; `command` fills the input box; `link` opens a URL. */
export const qqButton = {
  callback: (
    label: string,
    data: string,
    opts: { id?: string; style?: 0 | 1; unsupportTips?: string } = {},
  ): QQButton =>
    button(
      label,
      { type: 1, permission: EVERYONE, data, unsupport_tips: opts.unsupportTips ?? 'please update QQ' },
      opts,
    ),
  command: (
    label: string,
    command: string,
    opts: { id?: string; style?: 0 | 1; enter?: boolean; reply?: boolean; unsupportTips?: string } = {},
  ): QQButton =>
    button(
      label,
      {
        type: 2,
        permission: EVERYONE,
        data: command,
        ...(opts.enter === undefined ? {} : { enter: opts.enter }),
        ...(opts.reply === undefined ? {} : { reply: opts.reply }),
        unsupport_tips: opts.unsupportTips ?? 'please update QQ',
      },
      opts,
    ),
  link: (label: string, url: string, opts: { id?: string; style?: 0 | 1; unsupportTips?: string } = {}): QQButton =>
    button(
      label,
      { type: 0, permission: EVERYONE, data: url, unsupport_tips: opts.unsupportTips ?? 'please update QQ' },
      opts,
    ),
};

function button(label: string, action: QQButtonAction, opts: { id?: string; style?: 0 | 1 }): QQButton {
  return {
    ...(opts.id === undefined ? {} : { id: opts.id }),
    render_data: { label, visited_label: label, style: opts.style ?? 1 },
    action,
  };
}

/** A custom keyboard from rows of buttons, or a console template's id. */
export const qqKeyboard = {
  rows: (...rows: QQButton[][]): QQKeyboard => ({
    content: { rows: rows.map((buttons): QQKeyboardRow => ({ buttons })) },
  }),
  template: (id: string): QQKeyboard => ({ id }),
};

function checkMarkdown(md: QQMarkdown): void {
  if ('content' in md) {
    if (typeof md.content !== 'string' || md.content.trim() === '') fail('markdown.content is empty');
    return;
  }
  if (!md.custom_template_id) fail('markdown template needs custom_template_id (QQ 开放平台 > 消息模板)');
  const keys = new Set<string>();
  for (const p of md.params ?? []) {
    if (!p.key) fail('markdown template param without a key');
    if (keys.has(p.key)) fail(`markdown template param "${p.key}" given twice`);
    keys.add(p.key);
    if (!Array.isArray(p.values) || p.values.length === 0) fail(`markdown template param "${p.key}" has no values`);
  }
}

function checkKeyboard(kb: QQKeyboard): void {
  if ('id' in kb) {
    if (!kb.id) fail('keyboard template id is empty');
    return;
  }
  const rows = kb.content?.rows ?? [];
  if (rows.length === 0) fail('keyboard has no rows');
  if (rows.length > MAX_ROWS) fail(`keyboard has ${rows.length} rows; QQ allows ${MAX_ROWS}`);
  const ids = new Set<string>();
  rows.forEach((row, r) => {
    if (row.buttons.length === 0) fail(`keyboard row ${r + 1} has no buttons`);
    if (row.buttons.length > MAX_BUTTONS_PER_ROW)
      fail(`keyboard row ${r + 1} has ${row.buttons.length} buttons; QQ allows ${MAX_BUTTONS_PER_ROW} per row`);
    for (const b of row.buttons) {
      if (!b.render_data.label) fail(`a button in row ${r + 1} has no label`);
      if (b.id !== undefined) {
        if (ids.has(b.id)) fail(`button id "${b.id}" is used twice`);
        ids.add(b.id);
      }
      if (![0, 1, 2].includes(b.action.type)) fail(`button "${b.render_data.label}" has action type ${b.action.type}`);
      if (!b.action.unsupport_tips) fail(`button "${b.render_data.label}" needs unsupport_tips`);
      if (b.action.type === 0 && !/^https?:\/\//.test(b.action.data))
        fail(`link button "${b.render_data.label}" needs an http(s) URL, got "${b.action.data}"`);
      if (b.action.type !== 0 && b.action.data === '') fail(`button "${b.render_data.label}" has empty data`);
    }
  });
}

/** Checks a message body before it is sent (v2 group/C2C bodies and guild channel bodies). */
export function checkMessage(body: Partial<QQV2MessageBody> & { image?: string }): void {
  if (body.markdown) checkMarkdown(body.markdown);
  if (body.keyboard) checkKeyboard(body.keyboard);
  if (body.ark) {
    if (!Number.isInteger(body.ark.template_id) || body.ark.template_id <= 0)
      fail('ark.template_id must be a positive integer');
    for (const kv of body.ark.kv ?? []) if (!kv.key) fail('ark.kv entry without a key');
  }
  if (body.embed && !body.embed.title) fail('embed.title is empty');
  if (body.media && !body.media.file_info)
    fail('media.file_info is empty: upload the file first (uploadGroupMedia / uploadC2CMedia)');
  const type = body.msg_type;
  if (type === undefined) {
    // A guild channel message: at least one part.
    if (
      !body.content &&
      !body.markdown &&
      !body.ark &&
      !body.embed &&
      !body.image &&
      !('keyboard' in body && body.keyboard)
    )
      fail('give content, markdown, ark, embed or image (QQ answers 50006 消息为空)');
    return;
  }
  const needs: Record<number, [keyof QQV2MessageBody, string]> = {
    [QQ_MSG_TYPE.text]: ['content', 'msg_type 0 (text) needs content'],
    [QQ_MSG_TYPE.markdown]: ['markdown', 'msg_type 2 needs markdown'],
    [QQ_MSG_TYPE.ark]: ['ark', 'msg_type 3 needs ark'],
    [QQ_MSG_TYPE.embed]: ['embed', 'msg_type 4 needs embed'],
    [QQ_MSG_TYPE.media]: ['media', 'msg_type 7 needs media (file_info from an upload)'],
  };
  const need = needs[type];
  if (!need) fail(`msg_type ${type} is not one of 0 text, 2 markdown, 3 ark, 4 embed, 7 media`);
  if (!body[need[0]]) fail(need[1]);
}
