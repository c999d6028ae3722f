// Workers Analytics Engine (optional): one data point per handled event and per REST call, so the whole
// bot's figures can be queried across isolates with SQL (Cloudflare docs, Analytics Engine > Querying).
// Without the EDGESHARD_ANALYTICS binding (wrangler.toml) this does nothing.
//
// Event points:  index1 = type; blob1 'event', blob2 platform, blob3 type, blob4 outcome, blob5 event id;
//                double1 duration ms, double2 handlers run.
// REST points:   index1 = route; blob1 'rest', blob2 method, blob3 route template, blob4 result (HTTP status or
//                the proxy's refusal code), blob5 429 scope ('' when none), blob6 the event id of the
//                handler that made the call ('' from /api/v10), so one event can be followed into its calls;
//                double1 wait ms before sending, double2 queue depth after, double3 invalid requests in window.

export interface AnalyticsSink {
  writeDataPoint(point: { indexes?: string[]; blobs?: string[]; doubles?: number[] }): void;
}

export function eventPoint(
  sink: AnalyticsSink | undefined,
  p: { platform: string; type: string; outcome: string; id: string; durationMs: number; handlers: number },
): void {
  sink?.writeDataPoint({
    indexes: [p.type],
    blobs: ['event', p.platform, p.type, p.outcome, p.id],
    doubles: [p.durationMs, p.handlers],
  });
}

export function restPoint(
  sink: AnalyticsSink | undefined,
  p: {
    method: string;
    route: string;
    result: string;
    scope: string;
    waitMs: number;
    queued: number;
    invalid: number;
    eventId: string;
  },
): void {
  sink?.writeDataPoint({
    indexes: [p.route],
    blobs: ['rest', p.method, p.route, p.result, p.scope, p.eventId],
    doubles: [p.waitMs, p.queued, p.invalid],
  });
}
