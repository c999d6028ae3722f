// Node flags every launcher of a shard host passes (npm run shard-host, npm start, deploy/shard-host.service,
// deploy/Dockerfile; test/node/host/node-flags.test.ts checks they agree). Plain JavaScript, read before any
// type stripping.
//
// --max-semi-space-size=8 (MB): V8's young generation grows to 2 × 16 MB by default under the gateway's
// allocation rate; capped at 2 × 8 MB the host's peak RSS under overload falls by about 11 MB and its CPU per
// event by 3–7 % (the smaller nursery stays in cache; bench/RESULTS.md). V8 reads it only at start-up, so it
// cannot be set from inside the process.
export const HOST_NODE_FLAGS = ['--max-semi-space-size=8'];
