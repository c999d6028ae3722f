// QQ's frequency limits as data (QQ 机器人文档 api-v2; QQ sends no rate-limit headers, so the proxy keeps
// its own counts). Each row: which requests it covers, whether it counts per app or per major resource
// (the guild, channel, group or user in the path), and its window. `source` says where the number comes
// from: QQ's documentation, or edgeshard's own conservative default where QQ publishes none.

export interface QQRateRule {
  name: string;
  /** Tested against `METHOD /template` (ids replaced by :id). */
  match: RegExp;
  scope: 'app' | 'major';
  limit: number;
  windowMs: number;
  source: string;
}

export const QQ_RATE_RULES: readonly QQRateRule[] = [
  {
    name: 'v2 messages (group + C2C)',
    match: /^POST \/v2\/(groups|users)\/:id\/messages$/,
    scope: 'app',
    limit: 60,
    windowMs: 60_000,
    source: 'QQ docs, 消息 > 发送消息: 机器人账号维度 60 qpm (enterprise and personal; unverified bots 30)',
  },
  {
    name: 'channel messages',
    match: /^POST \/channels\/:id\/messages$/,
    scope: 'major',
    limit: 5,
    windowMs: 1_000,
    source: 'edgeshard default per channel (QQ answers 20028 子频道消息触发限频 beyond its own limit)',
  },
  {
    name: 'guild DM messages',
    match: /^POST \/dms\/:id\/messages$/,
    scope: 'major',
    limit: 5,
    windowMs: 1_000,
    source: 'edgeshard default per DM session',
  },
  {
    name: 'rich-media uploads',
    match: /^POST \/v2\/(groups|users)\/:id\/files$/,
    scope: 'major',
    limit: 5,
    windowMs: 1_000,
    source: 'edgeshard default per group/user',
  },
  {
    name: 'every call',
    match: /^[A-Z]+ \//,
    scope: 'app',
    limit: 20,
    windowMs: 1_000,
    source: 'edgeshard default per app: QQ publishes no global number',
  },
];

export interface QQRouteKey {
  /** `POST /channels/:id/messages`. */
  route: string;
  /** The first id in the path (guild, channel, group, user), or `app`. */
  major: string;
}

const ID_AFTER = new Set([
  'guilds',
  'channels',
  'dms',
  'groups',
  'users',
  'messages',
  'roles',
  'members',
  'announces',
  'schedules',
  'pins',
  'interactions',
  'reactions',
  'files',
  'sessions',
]);

/** `/channels/123/messages/abc?limit=2` → `{ route: 'GET /channels/:id/messages/:id', major: '123' }`. */
export function qqRouteKey(method: string, path: string): QQRouteKey {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  let major = 'app';
  const template = parts.map((part, i) => {
    const prev = parts[i - 1];
    // After a collection name comes an id; `@me` is a name. Reactions end in the emoji's type and id.
    const isId = part !== '@me' && ((prev !== undefined && ID_AFTER.has(prev)) || parts[i - 2] === 'reactions');
    if (!isId) return part;
    if (major === 'app') major = part;
    return ':id';
  });
  return { route: `${method.toUpperCase()} /${template.join('/')}`, major };
}

/** The rules that apply to a request, with the counter key each one uses. */
export function qqRulesFor(key: QQRouteKey): { rule: QQRateRule; counter: string }[] {
  const label = key.route;
  return QQ_RATE_RULES.filter((r) => r.match.test(label)).map((rule) => ({
    rule,
    counter: rule.scope === 'app' ? rule.name : `${rule.name}:${key.major}`,
  }));
}
