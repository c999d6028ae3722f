// One prom-client registry per host process. Each part of the host defines its own metrics in its own
// file under metrics/ (gateway.ts, delivery.ts), registered here.
import type { Registry } from 'prom-client';
import { promClient } from '../cjs.ts';

const { collectDefaultMetrics } = promClient;

export function createRegistry(labels: Record<string, string>): Registry {
  const registry = new promClient.Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}
