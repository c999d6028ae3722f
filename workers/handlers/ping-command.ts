// The example bot's slash command: /ping answers "pong".
import { onCommand } from '../dispatch/registry.ts';
import { ping } from './commands.ts';

export default onCommand(ping, (_interaction, ctx) => ctx.reply('pong'));
