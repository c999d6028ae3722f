// The example bot (workers/handlers/) end to end: the emulator signs each interaction and POSTs it to the
// real Worker under wrangler dev; the Worker's answers, and its REST calls through the REST proxy DO, come
// back to the emulator, which records them. A slash command with a subcommand, options and autocomplete, a
// button flow, a modal, a file upload; the QQ reply is in interactions.test.ts, !ping in ping.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/proc.ts';
import { startSystem, type System } from './system.ts';

interface Button {
  type: number;
  custom_id: string;
  label: string;
}
interface Record {
  id: string;
  status: number;
  response: {
    type: number;
    data?: {
      choices?: { name: string; value: string }[];
      content?: string;
      flags?: number;
      custom_id?: string;
      title?: string;
      components?: { type: number; components?: Button[] }[];
    };
  };
  original?: { content: string; attachments: { filename: string; size: number; url: string; content_type: string }[] };
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('the example bot', () => {
  let system: System;
  const interact = (body: unknown) => system.emu<Record>('/_emulator/interactions', json(body));

  beforeAll(async () => {
    system = await startSystem(['--shards', '1', '--guilds', '2']);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('/poll ask posts the question with typed options and vote buttons; a click updates the tally', async () => {
    const asked = await interact({
      name: 'poll',
      options: [
        {
          name: 'ask',
          type: 1,
          options: [
            { name: 'question', type: 3, value: 'Pizza tonight?' },
            { name: 'style', type: 3, value: 'thumbs' },
          ],
        },
      ],
    });
    expect(asked.response.type).toBe(4);
    expect(asked.response.data?.content).toBe('📊 Pizza tonight?\nYes: 0 · No: 0');
    const row = asked.response.data!.components![0]!.components!;
    expect(row.map((b) => [b.label, b.custom_id])).toEqual([
      ['👍', 'poll:yes:0:0:thumbs'],
      ['👎', 'poll:no:0:0:thumbs'],
    ]);
    expect(asked.original?.content).toBe('📊 Pizza tonight?\nYes: 0 · No: 0');

    const clicked = await interact({ type: 'component', custom_id: row[0]!.custom_id });
    expect(clicked.response.type).toBe(7);
    expect(clicked.response.data?.content).toBe('\nYes: 1 · No: 0'); // the emulator's component message is empty
    expect(clicked.response.data!.components![0]!.components!.map((b) => b.custom_id)).toEqual([
      'poll:yes:1:0:thumbs',
      'poll:no:1:0:thumbs',
    ]);
  });

  it('/poll ask suggests questions as the user types (autocomplete with the focused option)', async () => {
    const suggested = await interact({
      type: 'autocomplete',
      name: 'poll',
      options: [{ name: 'ask', type: 1, options: [{ name: 'question', type: 3, value: 'frI', focused: true }] }],
    });
    expect(suggested.response).toEqual({
      type: 8,
      data: { choices: [{ name: 'Meet on Friday?', value: 'Meet on Friday?' }] },
    });
  });

  it('/poll help routes to its own subcommand handler and answers only the user', async () => {
    const help = await interact({ name: 'poll', options: [{ name: 'help', type: 1, options: [] }] });
    expect(help.response).toEqual({
      type: 4,
      data: {
        content: 'Use `/poll ask question:<text>`; everyone in the channel can vote with the buttons.',
        flags: 64,
      },
    });
  });

  it('/feedback opens a modal whose custom_id carries the topic; the submission is answered', async () => {
    const opened = await interact({ name: 'feedback', options: [{ name: 'topic', type: 3, value: 'bug' }] });
    expect(opened.response.type).toBe(9);
    expect(opened.response.data).toMatchObject({ custom_id: 'feedback:bug', title: 'Report a bug' });
    const sent = await interact({
      type: 'modal',
      custom_id: opened.response.data!.custom_id,
      fields: { text: 'The button is blue.' },
    });
    expect(sent.response).toEqual({
      type: 4,
      data: { content: 'Thanks! Your bug report (19 characters) was received.', flags: 64 },
    });
  });

  it('/export defers, then uploads a CSV with the edited reply (multipart through the REST proxy)', async () => {
    const record = await interact({ name: 'export', options: [{ name: 'rows', type: 4, value: 3 }] });
    expect(record.response).toEqual({ type: 5 });
    const done = await waitFor(
      'the deferred reply to carry the file',
      async () => {
        const all = await system.emu<Record[]>('/_emulator/interactions');
        const found = all.find((r) => r.id === record.id);
        return found?.original ? found : undefined;
      },
      { timeoutMs: 30_000, proc: system.worker },
    );
    expect(done.original?.content).toBe('Here are 3 rows.');
    expect(done.original?.attachments.map((a) => [a.filename, a.content_type, a.size])).toEqual([
      ['squares.csv', 'text/csv', 21],
    ]);
    const file = await fetch(done.original!.attachments[0]!.url);
    expect(await file.text()).toBe('n,square\n1,1\n2,4\n3,9\n');
  });
});
