// The bot's handlers. Add a file per event (or command) in this folder and list it here.
import type { HandlerDefinition } from '../dispatch/registry.ts';
import exportCommand from './export-command.ts';
import feedbackCommand from './feedback-command.ts';
import messageCreate from './message-create.ts';
import pingCommand from './ping-command.ts';
import pollCommand from './poll-command.ts';
import qqGroupAt from './qq-group-at.ts';
import whoisCommand from './whois-command.ts';

export const handlers: HandlerDefinition[] = [
  messageCreate,
  pingCommand,
  ...pollCommand,
  ...feedbackCommand,
  exportCommand,
  qqGroupAt,
  ...whoisCommand,
];
