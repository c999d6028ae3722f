// The per-event error texts of events the coordinator does not admit (once.ts). No imports: the host tests'
// stand-in Worker (test/node/host/worker-server.ts) answers with the same text.

/** Why a fenced event is dropped (its per-event `error`; the host logs it). */
export function staleEpoch(host: string, epoch: number, shard: number, current: number): string {
  return (
    `stale lease epoch ${epoch} for shard ${shard} (current ${current}): host ${host} no longer owns this shard; ` +
    'its new owner resumes the session and the platform replays these events to it'
  );
}

/** Why an event of a shard the bot does not run is a dead letter. */
export function unknownShard(shard: number, shardCount: number | null): string {
  return `malformed event batch: shard ${shard} does not exist (the bot runs ${shardCount} shards)`;
}
