// The example bot's `/export [rows]`: a file upload. Building a file may take longer than the 3 s Discord
// allows for the first answer, so the handler defers ("thinking…") and uploads the file with the edit of
// the original reply: a multipart request through the REST proxy (Discord docs, Reference > Uploading Files).
import { onCommand } from '../dispatch/registry.ts';
import { exportTable } from './commands.ts';

export default onCommand(exportTable, (_interaction, ctx) => {
  const rows = ctx.options.rows ?? 10;
  return ctx.defer(async () => {
    const csv = ['n,square', ...Array.from({ length: rows }, (_, i) => `${i + 1},${(i + 1) ** 2}`)].join('\n');
    await ctx.editReply({
      content: `Here are ${rows} rows.`,
      files: [{ name: 'squares.csv', contentType: 'text/csv', data: new TextEncoder().encode(`${csv}\n`) }],
    });
  });
});
