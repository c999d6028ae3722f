// The bot's handlers. Add a file per event in this folder and list it here.
import type { HandlerDefinition } from '../dispatch/registry.ts';
import messageCreate from './message-create.ts';

export const handlers: HandlerDefinition[] = [messageCreate];
