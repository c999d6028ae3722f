// Message parts of QQ's send APIs (消息 > 发送消息; 消息格式: markdown, keyboard 消息按钮, ark, embed,
// 富媒体 media). Built and checked by workers/qq/builders.ts before they are sent.

/** msg_type (发送消息 > msg_type): 0 text, 2 markdown, 3 ark, 4 embed, 7 media (rich media). */
export const QQ_MSG_TYPE = { text: 0, markdown: 2, ark: 3, embed: 4, media: 7 } as const;
export type QQMsgType = (typeof QQ_MSG_TYPE)[keyof typeof QQ_MSG_TYPE];

/** Markdown written by the bot (自定义 markdown). */
export interface QQCustomMarkdown {
  content: string;
}

/** Markdown from a template approved in the console: each `{{.key}}` filled with `values`. */
export interface QQTemplateMarkdown {
  custom_template_id: string;
  params: { key: string; values: string[] }[];
}

export type QQMarkdown = QQCustomMarkdown | QQTemplateMarkdown;

/** Button action: 0 jump (data is a URL), 1 callback (INTERACTION_CREATE), 2 command (data is put in the input box). */
export interface QQButtonAction {
  type: 0 | 1 | 2;
  /** 0 specified users, 1 admins, 2 everyone, 3 specified roles. */
  permission: { type: 0 | 1 | 2 | 3; specify_user_ids?: string[]; specify_role_ids?: string[] };
  data: string;
  /** Command buttons: send the command at once instead of filling the input box. */
  enter?: boolean;
  /** Command buttons: reply to the message the keyboard is on. */
  reply?: boolean;
  /** 1: open the album/camera (select image); only with type 2. */
  anchor?: 1;
  click_limit?: number;
  at_bot_show_channel_list?: boolean;
  /** Shown by clients that do not support this button. */
  unsupport_tips: string;
}

export interface QQButton {
  id?: string;
  /** style: 0 grey outline, 1 blue outline. */
  render_data: { label: string; visited_label: string; style: 0 | 1 };
  action: QQButtonAction;
}

export interface QQKeyboardRow {
  buttons: QQButton[];
}

/** A keyboard: a template id from the console, or custom rows (at most 5 rows of 5 buttons). */
export type QQKeyboard = { id: string } | { content: { rows: QQKeyboardRow[] } };

/** Ark template message (模板消息): template 23 (link list), 24 (text + thumbnail), 37 (large image), … */
export interface QQArk {
  template_id: number;
  kv: { key: string; value?: string; obj?: { obj_kv: { key: string; value: string }[] }[] }[];
}

export interface QQEmbed {
  title: string;
  /** Shown in notifications. */
  prompt?: string;
  thumbnail?: { url: string };
  fields?: { name: string }[];
}

/** The `file_info` returned by a rich-media upload (POST /v2/{groups|users}/{id}/files). */
export interface QQMedia {
  file_info: string;
}

/** Rich-media upload body: file_type 1 image (png/jpg), 2 video (mp4), 3 voice (silk), 4 file. */
export interface QQMediaUpload {
  file_type: 1 | 2 | 3 | 4;
  /** Where QQ downloads the file from (or give file_data). */
  url?: string;
  /** Base64 of the file, instead of url. */
  file_data?: string;
  /** true: QQ sends it at once as a message (counts as an active message); false: use file_info in a send. */
  srv_send_msg: boolean;
}

export interface QQMediaUploaded {
  file_uuid: string;
  file_info: string;
  /** Seconds file_info stays usable; 0 means long-lived. */
  ttl: number;
  /** Present when srv_send_msg was true: the message id. */
  id?: string;
}

/** Body of POST /v2/groups/{group_openid}/messages and /v2/users/{openid}/messages. */
export interface QQV2MessageBody {
  msg_type: QQMsgType;
  content?: string;
  markdown?: QQMarkdown;
  keyboard?: QQKeyboard;
  ark?: QQArk;
  embed?: QQEmbed;
  media?: QQMedia;
  message_reference?: { message_id: string; ignore_get_message_error?: boolean };
  /** The received event that allows this passive message (INTERACTION_CREATE, C2C_MSG_RECEIVE, FRIEND_ADD…). */
  event_id?: string;
  /** The received message this answers (passive reply). */
  msg_id?: string;
  /** Tells replies to one msg_id apart; the same msg_id + msg_seq twice is refused. */
  msg_seq?: number;
}

/** Body of POST /channels/{channel_id}/messages and /dms/{guild_id}/messages (guild messages). */
export interface QQChannelMessageToCreate {
  content?: string;
  embed?: QQEmbed;
  ark?: QQArk;
  markdown?: QQMarkdown;
  keyboard?: QQKeyboard;
  /** An image URL. */
  image?: string;
  message_reference?: { message_id: string; ignore_get_message_error?: boolean };
  msg_id?: string;
  event_id?: string;
}

export interface QQMessageSentV2 {
  id: string;
  timestamp: number | string;
}
