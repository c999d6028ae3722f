// How a batch body reaches the Worker's /events: an interface, so the forwarder's state machine is tested
// with a fake transport and a fake clock, and runs over undici (http-transport.ts) in the host.

export type TransportReply =
  /** The Worker (or something in front of it) answered. */
  | { kind: 'answer'; status: number; retryAfter: string | null; text: string }
  /** No answer: connection refused or reset, DNS, timeout. */
  | { kind: 'unreachable'; error: string };

export interface BatchTransport {
  /** Where batches go, for log lines and error messages. */
  readonly target: string;
  /** Signs `body` (protocol/signing.ts) and POSTs it; never throws. */
  send(body: string): Promise<TransportReply>;
  close(): Promise<void>;
}
