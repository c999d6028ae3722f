// Public surface of the spool: re-exports only.
export type { Spool, SpoolDepth, SpoolDrop, SpoolEntry, SpoolLimits } from './types.ts';
export { MemorySpool } from './memory.ts';
export { FileSpool } from './file.ts';
export type { CorruptRecord, Durability, FileSpoolOptions, SpoolRecovery } from './file.ts';
export { DeadLetterFile } from './dead-letter.ts';
export type { DeadLetterLine } from './dead-letter.ts';
export { scanSpoolDir, unackedRecords } from './scan.ts';
export type { ShardScan, SegmentScan, UnackedRecord } from './scan.ts';
export { DeadLetterList, replayMarkPath } from './dead-letter-list.ts';
export type { DeadLetter, ReplayMark } from './dead-letter-list.ts';
