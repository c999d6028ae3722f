// One prom-client registry per host process. Each part of the host defines its own metrics in its own
// file under metrics/ (gateway.ts, delivery.ts), registered here.
import { collectDefaultMetrics, Registry } from 'prom-client';

export function createRegistry(labels: Record<string, string>): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}
