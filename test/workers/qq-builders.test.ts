// Message builders and the checks every send runs first.
import { describe, expect, it } from 'vitest';
import { checkMessage, qqButton, qqKeyboard, qqMessage } from '../../workers/qq/builders.ts';

describe('QQ message builders', () => {
  it('builds each message type', () => {
    expect(qqMessage.text('hi')).toEqual({ msg_type: 0, content: 'hi' });
    expect(qqMessage.markdownTemplate('tpl-1', { title: 'T', items: ['a', 'b'] })).toEqual({
      msg_type: 2,
      markdown: {
        custom_template_id: 'tpl-1',
        params: [
          { key: 'title', values: ['T'] },
          { key: 'items', values: ['a', 'b'] },
        ],
      },
    });
    expect(qqMessage.markdown('# x', qqKeyboard.template('kb-1'))).toEqual({
      msg_type: 2,
      markdown: { content: '# x' },
      keyboard: { id: 'kb-1' },
    });
    expect(qqMessage.ark(23, [{ key: '#DESC#', value: 'd' }])).toEqual({
      msg_type: 3,
      ark: { template_id: 23, kv: [{ key: '#DESC#', value: 'd' }] },
    });
    expect(qqMessage.embed({ title: 'E' })).toEqual({ msg_type: 4, embed: { title: 'E' } });
    expect(qqMessage.media({ file_info: 'F' })).toEqual({ msg_type: 7, media: { file_info: 'F' } });
    expect(qqButton.link('docs', 'https://q.qq.com', { id: 'l' })).toEqual({
      id: 'l',
      render_data: { label: 'docs', visited_label: 'docs', style: 1 },
      action: { type: 0, permission: { type: 2 }, data: 'https://q.qq.com', unsupport_tips: 'please update QQ' },
    });
  });

  it.each([
    [{ msg_type: 0 }, 'msg_type 0 (text) needs content'],
    [{ msg_type: 2 }, 'msg_type 2 needs markdown'],
    [{ msg_type: 3 }, 'msg_type 3 needs ark'],
    [{ msg_type: 4 }, 'msg_type 4 needs embed'],
    [{ msg_type: 7 }, 'msg_type 7 needs media (file_info from an upload)'],
    [{ msg_type: 5 }, 'msg_type 5 is not one of 0 text, 2 markdown, 3 ark, 4 embed, 7 media'],
    [{}, 'give content, markdown, ark, embed or image (QQ answers 50006 消息为空)'],
    [{ msg_type: 2, markdown: { content: ' ' } }, 'markdown.content is empty'],
    [
      { msg_type: 2, markdown: { custom_template_id: 't', params: [{ key: 'a', values: [] }] } },
      'markdown template param "a" has no values',
    ],
    [
      {
        msg_type: 2,
        markdown: {
          custom_template_id: 't',
          params: [
            { key: 'a', values: ['1'] },
            { key: 'a', values: ['2'] },
          ],
        },
      },
      'markdown template param "a" given twice',
    ],
    [{ msg_type: 3, ark: { template_id: 0, kv: [] } }, 'ark.template_id must be a positive integer'],
    [{ msg_type: 4, embed: { title: '' } }, 'embed.title is empty'],
    [
      {
        msg_type: 2,
        markdown: { content: 'x' },
        keyboard: qqKeyboard.rows(Array.from({ length: 6 }, (_, i) => qqButton.callback(`b${i}`, 'd'))),
      },
      'keyboard row 1 has 6 buttons; QQ allows 5 per row',
    ],
    [
      { msg_type: 2, markdown: { content: 'x' }, keyboard: qqKeyboard.rows([qqButton.link('l', 'ftp://x')]) },
      'link button "l" needs an http(s) URL, got "ftp://x"',
    ],
    [
      {
        msg_type: 2,
        markdown: { content: 'x' },
        keyboard: qqKeyboard.rows([qqButton.callback('a', 'd', { id: '1' }), qqButton.callback('b', 'd', { id: '1' })]),
      },
      'button id "1" is used twice',
    ],
  ])('%o → %s', (body, message) => {
    expect(() => checkMessage(body as never)).toThrow(`QQ message not sent: ${message}`);
  });

  it('accepts a full markdown + keyboard message', () => {
    const kb = qqKeyboard.rows([qqButton.callback('yes', 'y'), qqButton.command('help', '/help', { enter: true })]);
    expect(() => checkMessage(qqMessage.markdown('pick', kb))).not.toThrow();
  });
});
