// Formats bench:gateway results: one line per scenario, the libraries side by side, and edgeshard's ratio
// to the better peer (> 1 means edgeshard costs more). A scenario whose measured other load exceeded the
// limit is marked, and a run with any such scenario is printed as LOADED, never as a headline.
export const LIBS = ['edgeshard', 'discordjs', 'discordeno'] as const;
export type Lib = (typeof LIBS)[number];

export interface Row {
  label: string;
  results: Partial<Record<Lib, Record<string, number>>>;
  variants?: Record<string, Record<string, number>>;
}

const NAMES: Record<Lib, string> = {
  edgeshard: 'edgeshard (whole path)',
  discordjs: '@discordjs/ws 2.0.4 (parse only)',
  discordeno: '@discordeno/gateway 21.0.0 (parse only)',
};
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const x = (n: number) => `${n.toFixed(2)}×`;

/** edgeshard's figure over the best (lowest) peer's, for a lower-is-better measure. */
function vsBest(row: Row, libs: readonly Lib[], pick: (r: Record<string, number>) => number): string {
  const e = row.results.edgeshard;
  const peers = libs
    .filter((l) => l !== 'edgeshard')
    .map((l) => row.results[l])
    .filter((r) => r !== undefined);
  if (!e || peers.length === 0) return '';
  return ` → edgeshard ${x(pick(e) / Math.min(...peers.map(pick)))} the better peer`;
}

function line(row: Row, libs: readonly Lib[]): string {
  const cells = (f: (r: Record<string, number>) => string) =>
    libs.map((l) => (row.results[l] ? f(row.results[l]) : '—')).join(' | ');
  const other = Math.max(...libs.map((l) => row.results[l]?.otherCores ?? 0));
  const head = `${row.label.padEnd(34)} [other load ≤ ${other.toFixed(2)} cores] `;
  if (/rate|per shard/.test(row.label)) {
    const qq = row.variants?.['QQ dialect'];
    return (
      `${head}CPU s/100k ${cells((r) => r.cpuPer100k!.toFixed(2))}${vsBest(row, libs, (r) => r.cpuPer100k!)}; ` +
      `dispatches/s ${cells((r) => r.perSecond!.toFixed(0))}` +
      (qq ? `; QQ dialect CPU s/100k ${qq.cpuPer100k!.toFixed(2)}` : '')
    );
  }
  if (row.label.startsWith('idle')) {
    return (
      `${head}RSS at 100 shards ${cells((r) => mb(r.rss!))}${vsBest(row, libs, (r) => r.rss!)}; ` +
      `RSS per shard ${cells((r) => kb(r.rssPerShardBytes!))}; heap per shard ${cells((r) => kb(r.heapPerShardBytes!))}${vsBest(row, libs, (r) => r.heapPerShardBytes!)}`
    );
  }
  if (row.label.startsWith('overload')) {
    const rss = (r: Record<string, number>) => `${mb(r.rssAt5s!)}/${mb(r.rssAt10s!)}/${mb(r.rssEnd!)}`;
    const lines = [
      `${head}peak RSS ${cells((r) => mb(r.peakRss!))}; RSS at 5/10/15 s ${cells(rss)}; received ${cells((r) => String(r.received))}`,
    ];
    for (const [name, v] of Object.entries(row.variants ?? {}))
      lines.push(
        `${''.padEnd(34)} edgeshard, ${name}: peak RSS ${mb(v.peakRss!)}, RSS at 5/10/15 s ${rss(v)}, received ${v.received}, reading paused in ${(v.pausedShare! * 100).toFixed(0)}% of samples`,
      );
    return lines.join('\n');
  }
  const floor = 7_000;
  return (
    `${head}${cells((r) => `${(r.readyMs! / 1000).toFixed(2)} s (+${((r.readyMs! / floor - 1) * 100).toFixed(1)}%)`)} over the floor of 7.00 s; ` +
    `identify violations ${cells((r) => String(r.identifyViolations))}`
  );
}

export function report(
  rows: Row[],
  libs: readonly Lib[],
  env: { cpus: number; model: string; before: string; after: string; seconds: number; loadedCores: number },
): string {
  const loaded = rows.some((r) => Object.values(r.results).some((v) => (v?.otherCores ?? 0) > env.loadedCores));
  return [
    '',
    loaded
      ? `LOADED RUN: other work on the machine took more than ${env.loadedCores} cores during at least one scenario; these figures are not a headline.`
      : `Quiet run (other load ≤ ${env.loadedCores} cores in every scenario).`,
    `Columns: ${libs.map((l) => NAMES[l]).join(' | ')}. The peers only inflate and parse: no spool, no fsync, no forwarding, no acknowledgement.`,
    ...rows.map((r) => line(r, libs)),
    `machine: ${env.cpus} × ${env.model}; load average before ${env.before}, after ${env.after}; ${env.seconds} s`,
    '',
  ].join('\n');
}
