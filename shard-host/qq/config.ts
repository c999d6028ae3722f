// The host's QQ settings (DESIGN.md, configuration names): a host runs QQ shards when it has QQ_APP_ID and
// QQ_APP_SECRET. QQ_SANDBOX=on points the default API base at QQ's sandbox (沙箱环境); an explicit
// QQ_API_URL wins over both. The token endpoint is the same for both environments.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';
import {
  QQ_API_URL,
  QQ_DEFAULT_INTENTS,
  QQ_INTENTS,
  QQ_SANDBOX_API_URL,
  QQ_TOKEN_URL,
  qqIntentBit,
} from '../../protocol/qq.ts';

export interface QQHostConfig {
  appId: string;
  appSecret: string;
  apiUrl: string;
  tokenUrl: string;
  intents: number;
  sandbox: boolean;
}

export const QQ_CONFIG_NAMES = {
  QQ_APP_ID: undefined,
  QQ_APP_SECRET: undefined,
  QQ_API_URL: undefined,
  QQ_TOKEN_URL: QQ_TOKEN_URL,
  EDGESHARD_QQ_INTENTS: String(QQ_DEFAULT_INTENTS),
  QQ_SANDBOX: 'off',
} as const satisfies Record<string, string | undefined>;

type QQName = keyof typeof QQ_CONFIG_NAMES;

function invalid(message: string): never {
  throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, message);
}

/** A number, or names separated by commas: QQ's (GROUP_AND_C2C_EVENT) or botgo's (IntentGroupMessages). */
export function parseQQIntents(value: string): number {
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  let bits = 0;
  for (const raw of value.split(',')) {
    if (!raw.trim()) continue;
    const bit = qqIntentBit(raw);
    if (bit === undefined)
      invalid(
        `EDGESHARD_QQ_INTENTS: unknown intent "${raw.trim()}"; use a number or names from ${Object.keys(QQ_INTENTS).join(', ')} (botgo's IntentGuilds… names work too)`,
      );
    bits |= bit;
  }
  return bits;
}

function httpUrl(name: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    invalid(`${name} is not a valid URL: "${value}"`);
  }
  if (!/^https?:$/.test(u.protocol)) invalid(`${name} must be an http(s) URL, got "${value}"`);
  return value.replace(/\/$/, '');
}

/** The QQ part of the host's configuration; undefined when QQ_APP_ID and QQ_APP_SECRET are both unset. */
export function parseQQConfig(get: (name: QQName) => string | undefined): QQHostConfig | undefined {
  const appId = get('QQ_APP_ID');
  const appSecret = get('QQ_APP_SECRET');
  if (!appId && !appSecret) return undefined;
  if (!appId) invalid('QQ_APP_SECRET is set but QQ_APP_ID is not: copy the AppID from QQ 开放平台 > 开发设置');
  if (!appSecret) invalid('QQ_APP_ID is set but QQ_APP_SECRET is not: copy the AppSecret from QQ 开放平台 > 开发设置');
  const sandboxRaw = get('QQ_SANDBOX') ?? 'off';
  if (sandboxRaw !== 'on' && sandboxRaw !== 'off') invalid(`QQ_SANDBOX must be "on" or "off", got "${sandboxRaw}"`);
  const sandbox = sandboxRaw === 'on';
  const apiUrl = get('QQ_API_URL');
  return {
    appId,
    appSecret,
    apiUrl: httpUrl('QQ_API_URL', apiUrl ?? (sandbox ? QQ_SANDBOX_API_URL : QQ_API_URL)),
    tokenUrl: httpUrl('QQ_TOKEN_URL', get('QQ_TOKEN_URL') ?? QQ_TOKEN_URL),
    intents: parseQQIntents(get('EDGESHARD_QQ_INTENTS') ?? String(QQ_DEFAULT_INTENTS)),
    sandbox,
  };
}
