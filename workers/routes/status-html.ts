// The operator's console: shards coloured by state (owner, latency, last event), hosts with their lease and
// load (spool depth, oldest unacknowledged event, dead letters), handler outcomes per event type, the REST
// proxy's queue, 429s and invalid-request budget, and the identify budget. Rendered on the server from the
// same object /status.json answers; refreshes itself every 5 s.
import type { ShardStatus } from '../coordinator/status.ts';
import type { ConsoleData } from './status-data.ts';

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

const DASH = '—';
const num = (n: number) => n.toLocaleString('en-US');
const bytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
const bar = (percent: number, cls = '') =>
  `<div class="bar"><div class="${cls}" style="width:${Math.max(0, Math.min(100, Math.round(percent)))}%"></div></div>`;

function shardCell(s: ShardStatus): string {
  return `<div class="cell ${stateClass(s)}" data-shard="${s.shard}" data-state="${escape(s.state)}" title="epoch ${s.epoch}, seq ${s.seq ?? '—'}">
  <b>#${s.shard}</b> <span class="st">${escape(s.phase === 'handoff' ? `→ ${s.handoffTo ?? '?'}` : s.state)}</span>
  <div>${escape(s.owner ?? 'no owner')}</div>
  <div>${s.latencyMs === null ? '—' : `${Math.round(s.latencyMs)} ms`} · ${s.guilds} guilds</div>
  <div>last event ${age(s.lastEventAgeMs)}</div></div>`;
}

function hostsTable(status: ConsoleData): string {
  const rows = status.hosts
    .map((h) => {
      const load = h.capacity === 0 ? 0 : (100 * h.shards) / h.capacity;
      const l = h.load;
      const lease = h.live ? 'live' : h.connected ? 'lease expired' : 'disconnected';
      return `<tr class="${h.live ? '' : 'dead'}" data-host="${escape(h.id)}"><td>${escape(h.id)}</td><td>${h.shards} / ${h.capacity}</td>
      <td>${bar(load)}</td><td>${lease}</td><td>${age(h.lastContactAgeMs)} ago</td>
      <td class="n">${l ? `${num(l.spoolEvents)} <span class="dim">(${bytes(l.spoolBytes)})</span>` : DASH}</td>
      <td class="n">${l ? age(l.oldestUnackedAgeMs) : DASH}</td>
      <td class="n ${l && l.deadLetters > 0 ? 'alert' : ''}">${l ? num(l.deadLetters) : DASH}</td></tr>`;
    })
    .join('');
  return `<table id="hosts"><tr><th>host</th><th>shards</th><th>load</th><th>lease</th><th>last contact</th><th>spool</th><th>oldest unacked</th><th>dead letters</th></tr>${rows}</table>`;
}

function handlersTable(status: ConsoleData): string {
  const entries = Object.entries(status.worker.events).sort(([a], [b]) => (a < b ? -1 : 1));
  const rows = entries
    .map(([key, f]) => {
      const runs = f.handled + f.failed;
      const avg = runs === 0 ? 0 : f.durationMsSum / runs;
      return `<tr data-key="${escape(key)}" class="${f.failed > 0 ? 'failing' : ''}"><td>${escape(key)}</td><td class="n">${num(f.handled)}</td>
      <td class="n ${f.failed > 0 ? 'alert' : ''}">${num(f.failed)}</td><td class="n">${runs === 0 ? DASH : `${((100 * f.failed) / runs).toFixed(1)}%`}</td>
      <td class="n">${avg.toFixed(1)} ms</td><td class="n">${f.durationMsMax} ms</td>
      <td class="err">${f.lastError ? `${escape(f.lastError.error.slice(0, 160))} <span class="dim">· ${escape(f.lastError.eventId)} · ${age(Date.now() - f.lastError.at)} ago</span>` : ''}</td></tr>`;
    })
    .join('');
  const unhandled = Object.entries(status.worker.unhandled)
    .map(([key, n]) => `<span class="tag">${escape(key)} × ${num(n)}</span>`)
    .join(' ');
  return `<table id="handlers"><tr><th>event type</th><th>handled</th><th>failed</th><th>error rate</th><th>avg</th><th>max</th><th>last error</th></tr>${
    rows || '<tr><td colspan="7" class="dim">no events handled by this isolate yet</td></tr>'
  }</table>
<p id="unhandled">no handler: ${unhandled || '<span class="dim">none</span>'}</p>
<p class="dim">Per isolate (${escape(status.worker.isolate)}, up ${age(Date.now() - status.worker.startedAt)}): Cloudflare runs several; /metrics labels each, Analytics Engine has them all.</p>`;
}

function restPanel(status: ConsoleData): string {
  const r = status.rest;
  const g = r.guard;
  const guardPct = g.threshold === 0 ? 0 : (100 * g.invalidRequests) / g.threshold;
  const refused = Object.entries(r.refused)
    .map(([code, n]) => `${escape(code)} ${num(n)}`)
    .join(' · ');
  const avgWait = r.waits.waited === 0 ? 0 : r.waits.totalMs / r.waits.waited;
  return `<div id="rest" class="kv">
<div><span>queue depth</span><b data-k="queued">${num(r.queued)}</b></div>
<div><span>requests sent</span><b data-k="requests">${num(r.requests)}</b></div>
<div><span>buckets</span><b>${num(r.buckets)}</b></div>
<div><span>429s by scope</span><b data-k="429">user ${num(r.ratelimited.user)} · global ${num(r.ratelimited.global)} · shared ${num(r.ratelimited.shared)}</b></div>
<div><span>waited for limits</span><b>${num(r.waits.waited)} request${r.waits.waited === 1 ? '' : 's'}, avg ${avgWait.toFixed(0)} ms, max ${num(r.waits.maxMs)} ms</b></div>
<div><span>refused by the proxy</span><b>${refused}</b></div>
<div><span>invalid requests (10 min)</span><b data-k="invalid">${num(g.invalidRequests)} / ${num(g.threshold)}</b>${bar(guardPct, guardPct > 80 ? 'hot' : '')}</div>
<div><span>5xx retried</span><b>${num(r.serverErrorRetries)}</b></div>
<div><span>egress</span><b>${escape(r.egress)}</b></div>
</div>`;
}

export function renderStatus(status: ConsoleData): string {
  const ready = status.shards.filter((s) => s.state === 'ready').length;
  const id = status.identify;
  const budget =
    id.sessionStartRemaining === null
      ? 'unknown (no host announced yet)'
      : `${id.sessionStartRemaining} / ${id.sessionStartTotal ?? '?'}`;
  const failed = Object.values(status.worker.events).reduce((n, f) => n + f.failed, 0);
  const dead = status.hosts.reduce((n, h) => n + (h.load?.deadLetters ?? 0), 0);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>edgeshard status</title><style>
body{font:14px system-ui,sans-serif;margin:24px;background:#0f1115;color:#e6e6e6}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}
.cell{border-radius:6px;padding:8px;font-size:12px;line-height:1.5;color:#111}.cell b{font-size:14px}
.ok{background:#3fb950}.warn{background:#d29922}.move{background:#58a6ff}.off{background:#8b949e}.bad{background:#f85149}
table{border-collapse:collapse}td,th{padding:4px 12px;text-align:left;border-bottom:1px solid #30363d}tr.dead{color:#f85149}
td.n{text-align:right;font-variant-numeric:tabular-nums}.alert{color:#f85149;font-weight:600}.dim{color:#8b949e}
.bar{width:160px;height:10px;background:#30363d;border-radius:5px;display:inline-block;vertical-align:middle;margin-left:8px}.bar div{height:10px;background:#58a6ff;border-radius:5px}.bar div.hot{background:#f85149}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:4px;color:#111;font-size:12px}
.kv{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:10px 24px}.kv span{color:#8b949e;display:block;font-size:12px}.kv .bar{margin-left:0}
.tag{display:inline-block;background:#30363d;border-radius:4px;padding:1px 6px;margin:2px;font-size:12px}
.summary span{margin-right:18px}td.err{font-size:12px;max-width:420px;color:#f0b8b4}
</style></head><body>
<h1>edgeshard · ${ready} / ${status.shardCount ?? 0} shards ready</h1>
<p class="summary"><span>hosts live: <b>${status.hosts.filter((h) => h.live).length}</b></span><span>handler failures (this isolate): <b class="${failed > 0 ? 'alert' : ''}">${num(failed)}</b></span><span>dead letters: <b class="${dead > 0 ? 'alert' : ''}">${num(dead)}</b></span><span>REST queue: <b>${num(status.rest.queued)}</b></span></p>
<div class="legend"><span class="ok">ready</span><span class="warn">starting / resuming</span><span class="move">moving</span><span class="off">unassigned</span><span class="bad">orphaned / failed</span></div>
<h2>Shards</h2><div class="grid" id="shards">${status.shards.map(shardCell).join('')}</div>
<h2>Hosts</h2>${hostsTable(status)}
<h2>Handlers</h2>${handlersTable(status)}
<h2>REST proxy</h2>${restPanel(status)}
<h2>Identify budget</h2><p id="identify">session starts left: <b>${budget}</b>${id.resetsInMs === null ? '' : `, resets in ${age(id.resetsInMs)}`} ·
max_concurrency ${id.maxConcurrency} · identifies granted by the coordinator: ${id.granted} · lease TTL ${status.leaseTtlMs} ms</p>
</body></html>`;
}
