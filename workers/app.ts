// The Worker's router. Routes are mounted here; each lives in its own file under routes/.
import { Hono } from 'hono';
import type { Registry } from './dispatch/registry.ts';
import { errorResponse } from './errors.ts';
import { withConfig, type AppEnv } from './middleware/index.ts';
import { coordinatorRoute } from './routes/coordinator.ts';
import { eventsRoute } from './routes/events.ts';
import { interactionsRoute } from './routes/interactions.ts';
import { restRoute } from './routes/rest.ts';
import { metricsRoute } from './routes/metrics.ts';
import { statusRoute } from './routes/status.ts';
import { qqWebhookRoute } from './routes/webhooks-qq.ts';

export function createApp(registry: Registry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(withConfig);
  app.get('/', (c) => c.json({ name: 'edgeshard', ok: true }));
  app.route('/events', eventsRoute(registry));
  app.route('/coordinator', coordinatorRoute());
  app.route('/', statusRoute(registry));
  app.route('/', metricsRoute(registry));
  app.route('/interactions', interactionsRoute(registry));
  app.route('/api/v10', restRoute());
  app.route('/webhooks/qq', qqWebhookRoute(registry));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.onError((err) => errorResponse(err));
  return app;
}
