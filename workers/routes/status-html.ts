// The status page: a grid of shards coloured by state, the hosts with their load, the identify budget.
// Rendered on the server from the same object /status.json answers; refreshes itself every 5 s.
import type { CoordinatorStatus, ShardStatus } from '../coordinator/status.ts';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** State → colour class. Anything not listed is "starting". */
const COLOURS: Record<string, string> = {
  ready: 'ok',
  resuming: 'warn',
  connecting: 'warn',
  identifying: 'warn',
  disconnected: 'warn',
  assigned: 'warn',
  idle: 'warn',
  unassigned: 'off',
  released: 'off',
  orphaned: 'bad',
  stopped: 'off',
  fatal: 'bad',
};

export function stateClass(s: Pick<ShardStatus, 'state' | 'phase'>): string {
  if (s.phase === 'handoff') return 'move';
  return COLOURS[s.state] ?? 'warn';
}

function age(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

function shardCell(s: ShardStatus): string {
  return `<div class="cell ${stateClass(s)}" data-shard="${s.shard}" data-state="${escape(s.state)}" title="epoch ${s.epoch}, seq ${s.seq ?? '—'}">
  <b>#${s.shard}</b> <span class="st">${escape(s.phase === 'handoff' ? `→ ${s.handoffTo ?? '?'}` : s.state)}</span>
  <div>${escape(s.owner ?? 'no owner')}</div>
  <div>${s.latencyMs === null ? '—' : `${Math.round(s.latencyMs)} ms`} · ${s.guilds} guilds</div>
  <div>last event ${age(s.lastEventAgeMs)}</div></div>`;
}

/** A reshard in progress: its reason and the new generation's shards (coordination/reshard.ts). */
function reshardSection(status: CoordinatorStatus): string {
  const r = status.reshard;
  if (r.kind !== 'identifying' && r.kind !== 'switching') return '';
  const what =
    r.kind === 'identifying'
      ? `identifying ${r.from} → ${r.to}: ${r.ready} / ${r.total} new shards READY with their guilds`
      : `switched ${r.from} → ${r.to} ${age(r.switchedAgoMs)} ago: the old shards are closing`;
  return `<h2>Resharding</h2><p id="reshard">${escape(what)} · ${escape(r.reason ?? '')}</p>${
    status.nextShards.length === 0
      ? ''
      : `<div class="grid" id="next-shards">${status.nextShards.map(shardCell).join('')}</div>`
  }`;
}

export function renderStatus(status: CoordinatorStatus): string {
  const ready = status.shards.filter((s) => s.state === 'ready').length;
  const hosts = status.hosts
    .map((h) => {
      const load = h.capacity === 0 ? 0 : Math.min(100, Math.round((100 * h.shards) / h.capacity));
      return `<tr class="${h.live ? '' : 'dead'}"><td>${escape(h.id)}</td><td>${h.shards} / ${h.capacity}</td>
      <td><div class="bar"><div style="width:${load}%"></div></div></td><td>${h.live ? 'live' : h.connected ? 'lease expired' : 'disconnected'}</td><td>${age(h.lastContactAgeMs)} ago</td></tr>`;
    })
    .join('');
  const id = status.identify;
  const budget =
    id.sessionStartRemaining === null
      ? 'unknown (no host announced yet)'
      : `${id.sessionStartRemaining} / ${id.sessionStartTotal ?? '?'}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>edgeshard status</title><style>
body{font:14px system-ui,sans-serif;margin:24px;background:#0f1115;color:#e6e6e6}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}
.cell{border-radius:6px;padding:8px;font-size:12px;line-height:1.5;color:#111}.cell b{font-size:14px}
.ok{background:#3fb950}.warn{background:#d29922}.move{background:#58a6ff}.off{background:#8b949e}.bad{background:#f85149}
table{border-collapse:collapse}td,th{padding:4px 12px;text-align:left;border-bottom:1px solid #30363d}tr.dead{color:#f85149}
.bar{width:160px;height:10px;background:#30363d;border-radius:5px}.bar div{height:10px;background:#58a6ff;border-radius:5px}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:4px;color:#111;font-size:12px}
</style></head><body>
<h1>edgeshard · ${ready} / ${status.shardCount ?? 0} shards ready</h1>
<div class="legend"><span class="ok">ready</span><span class="warn">starting / resuming</span><span class="move">moving</span><span class="off">unassigned</span><span class="bad">orphaned / failed</span></div>
<h2>Shards</h2><div class="grid" id="shards">${status.shards.map(shardCell).join('')}</div>${reshardSection(status)}
<h2>Hosts</h2><table id="hosts"><tr><th>host</th><th>shards</th><th>load</th><th>lease</th><th>last contact</th></tr>${hosts}</table>
<h2>Identify budget</h2><p id="identify">session starts left: <b>${budget}</b>${id.resetsInMs === null ? '' : `, resets in ${age(id.resetsInMs)}`} ·
max_concurrency ${id.maxConcurrency} · identifies granted by the coordinator: ${id.granted} · lease TTL ${status.leaseTtlMs} ms</p>
</body></html>`;
}
