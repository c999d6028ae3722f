// Formats bench:gateway results: one line per scenario, edgeshard and @discordjs/ws side by side, and the
// ratio that answers the scenario's question (higher is better for edgeshard in every ratio column).
export interface Row {
  label: string;
  results: Record<'edgeshard' | 'discordjs', Record<string, number>>;
  variants?: Record<string, Record<string, number>>;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const x = (n: number) => `${n.toFixed(2)}×`;

function line(row: Row): string {
  const e = row.results.edgeshard;
  const d = row.results.discordjs;
  const qq = row.variants?.['QQ dialect'];
  if (row.label.startsWith('throughput')) {
    return (
      `${row.label.padEnd(36)} dispatches/s ${e.perSecond!.toFixed(0).padStart(7)} vs ${d.perSecond!.toFixed(0).padStart(7)} (${x(e.perSecond! / d.perSecond!)})   ` +
      `CPU s/100k ${e.cpuPer100k!.toFixed(2).padStart(5)} vs ${d.cpuPer100k!.toFixed(2).padStart(5)} (dispatches per CPU-s ${x(d.cpuPer100k! / e.cpuPer100k!)})` +
      (qq
        ? `\n${''.padEnd(36)} edgeshard, QQ dialect: dispatches/s ${qq.perSecond!.toFixed(0)}, CPU s/100k ${qq.cpuPer100k!.toFixed(2)}`
        : '')
    );
  }
  if (row.label.startsWith('idle')) {
    return (
      `${row.label.padEnd(36)} heap per idle shard ${kb(e.heapPerShardBytes!)} vs ${kb(d.heapPerShardBytes!)} (${x(d.heapPerShardBytes! / e.heapPerShardBytes!)} less)` +
      (qq ? `\n${''.padEnd(36)} edgeshard, QQ dialect: heap per idle shard ${kb(qq.heapPerShardBytes!)}` : '')
    );
  }
  if (row.label.startsWith('overload')) {
    const rss = (r: Record<string, number>) => `${mb(r.rssAt5s!)}/${mb(r.rssAt10s!)}/${mb(r.rssEnd!)}`;
    const lines = [
      `${row.label.padEnd(36)} peak RSS ${mb(e.peakRss!)} vs ${mb(d.peakRss!)} (${x(d.peakRss! / e.peakRss!)} less); RSS at 5/10/15 s ${rss(e)} vs ${rss(d)}; ` +
        `received ${e.received} vs ${d.received} (${(e.received! / 15).toFixed(0)}/s vs ${(d.received! / 15).toFixed(0)}/s)`,
    ];
    for (const [name, v] of Object.entries(row.variants ?? {})) {
      lines.push(
        `${''.padEnd(36)} edgeshard, ${name}: peak RSS ${mb(v.peakRss!)}, RSS at 5/10/15 s ${rss(v)}, received ${v.received}, reading paused in ${(v.pausedShare! * 100).toFixed(0)}% of samples`,
      );
    }
    return lines.join('\n');
  }
  const floor = 7_000;
  return (
    `${row.label.padEnd(36)} ${(e.readyMs! / 1000).toFixed(2)} s vs ${(d.readyMs! / 1000).toFixed(2)} s; over the floor of 7.00 s: +${((e.readyMs! / floor - 1) * 100).toFixed(1)}% vs +${((d.readyMs! / floor - 1) * 100).toFixed(1)}% ` +
    `(identify violations at the emulator: ${e.identifyViolations} vs ${d.identifyViolations})`
  );
}

export function report(
  rows: Row[],
  env: { cpus: number; model: string; before: string; after: string; seconds: number },
): string {
  return [
    '',
    `edgeshard vs @discordjs/ws 2.0.4 (edgeshard first; ratios > 1 favour edgeshard)`,
    ...rows.map(line),
    `machine: ${env.cpus} × ${env.model}; load average before ${env.before}, after ${env.after}; ${env.seconds} s`,
    '',
  ].join('\n');
}
