import { MemorySpool } from '../../../shard-host/spool/memory.ts';
import { spoolContract } from './contract.ts';

spoolContract('memory', (limits) => new MemorySpool(limits));
