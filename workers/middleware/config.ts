// Puts the typed config (read once per isolate) on the context for every route.
import { createMiddleware } from 'hono/factory';
import { configOf } from '../config.ts';
import type { AppEnv } from './types.ts';

export const withConfig = createMiddleware<AppEnv>(async (c, next) => {
  c.set('config', configOf(c.env));
  await next();
});
