// POSTs a webhook the way Discord and QQ do: X-Signature-Timestamp (Unix seconds) and X-Signature-Ed25519
// (hex signature over timestamp + raw body), then reads the answer.
import type { SigningKey } from './keys.ts';

export interface Delivery {
  status: number;
  /** The parsed JSON answer, or the raw text when it is not JSON. */
  body: unknown;
}

export class NoTargetError extends Error {
  constructor(what: string) {
    super(
      `no Worker URL to send ${what} to: start the emulator with --worker-url, or POST /_emulator/webhook-target {"url": ...}`,
    );
    this.name = 'NoTargetError';
  }
}

export class DeliveryError extends Error {
  constructor(url: string, cause: unknown) {
    super(
      `could not reach the Worker at ${url}: ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}`,
      { cause },
    );
    this.name = 'DeliveryError';
  }
}

export async function deliverSigned(
  url: string,
  body: string,
  key: SigningKey,
  headers: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<Delivery> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature-ed25519': key.sign(timestamp + body),
        'x-signature-timestamp': timestamp,
        ...headers,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    throw new DeliveryError(url, err);
  }
  try {
    return { status, body: JSON.parse(text) as unknown };
  } catch {
    return { status, body: text };
  }
}

/** Where webhooks go; settable at run time because the Worker usually starts after the emulator. */
export class WebhookTarget {
  #url: string | undefined;
  constructor(url?: string) {
    this.#url = url?.replace(/\/$/, '');
  }
  get url(): string | undefined {
    return this.#url;
  }
  set(url: string): void {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new RangeError('the webhook target must be an http(s) URL');
    this.#url = url.replace(/\/$/, '');
  }
  require(what: string): string {
    if (!this.#url) throw new NoTargetError(what);
    return this.#url;
  }
}
