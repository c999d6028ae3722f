// Types of node-flags.mjs.
/** Node flags every launcher of a shard host passes. */
export const HOST_NODE_FLAGS: readonly string[];
