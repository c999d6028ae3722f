// Every launcher of a shard host passes the host's Node flags (shard-host/node-flags.mjs): npm's script, the
// systemd unit and the container start the process the same way `npm start` and the tests do.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOST_NODE_FLAGS } from '../../../shard-host/node-flags.mjs';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

describe('the host Node flags', () => {
  const launchers: [string, string][] = [
    [
      'package.json scripts.shard-host',
      (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['shard-host']!,
    ],
    ['deploy/shard-host.service ExecStart', read('deploy/shard-host.service').match(/^ExecStart=(.*)$/m)![1]!],
    ['deploy/Dockerfile ENTRYPOINT', read('deploy/Dockerfile').match(/^ENTRYPOINT (.*)$/m)![1]!],
  ];
  for (const [where, line] of launchers)
    it(`${where} starts node with ${HOST_NODE_FLAGS.join(' ')} before shard-host/bin.mjs`, () => {
      const args = line.startsWith('[') ? (JSON.parse(line) as string[]) : line.split(/\s+/);
      const bin = args.findIndex((a) => a.endsWith('shard-host/bin.mjs'));
      expect(bin > 0).toBe(true);
      expect(args.slice(1, bin)).toEqual([...HOST_NODE_FLAGS]);
    });
});
