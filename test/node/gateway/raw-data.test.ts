// The `d` scanner: one test per rule. Every row that finds a span is also checked against JSON.parse, so a
// found span is always the text of exactly the value JSON.parse returns as `d`.
import { describe, expect, it } from 'vitest';
import { findDataSpan, rawData, skipString, skipValue } from '../../../shard-host/gateway/raw-data.ts';

const found: Array<[rule: string, text: string, d: string]> = [
  ['d last (our emulator: op, s, t, d)', '{"op":0,"s":7,"t":"MESSAGE_CREATE","d":{"id":"1"}}', '{"id":"1"}'],
  ['d first', '{"d":{"id":"1"},"op":0,"s":7,"t":"MESSAGE_CREATE"}', '{"id":"1"}'],
  [
    'd in the middle (Discord: t, s, op, d is also just an order)',
    '{"t":"X","s":7,"d":{"id":"1"},"op":0}',
    '{"id":"1"}',
  ],
  ['d null', '{"op":0,"s":1,"t":"X","d":null}', 'null'],
  [
    'd a number, a string, true, an array',
    '{"op":0,"d":[1,-2.5e3,"x",true,false,null,{}]}',
    '[1,-2.5e3,"x",true,false,null,{}]',
  ],
  ['d a bare number before }', '{"op":0,"d":12345}', '12345'],
  ['d a string', '{"op":0,"d":"hi"}', '"hi"'],
  [
    'nested objects and arrays',
    '{"op":0,"d":{"a":{"b":[{"c":[[]]},{}]},"e":[1,[2,[3]]]},"s":1}',
    '{"a":{"b":[{"c":[[]]},{}]},"e":[1,[2,[3]]]}',
  ],
  [
    'escaped quotes and braces inside strings',
    String.raw`{"op":0,"d":{"content":"he said \"}{][\" ok"},"t":"X"}`,
    String.raw`{"content":"he said \"}{][\" ok"}`,
  ],
  [
    'an escaped backslash right before a closing quote',
    String.raw`{"op":0,"d":{"path":"C:\\","x":"\\\"q\\"},"s":1}`,
    String.raw`{"path":"C:\\","x":"\\\"q\\"}`,
  ],
  [
    'a key that is "d" inside a nested object is not the top-level d',
    '{"op":0,"s":1,"x":{"d":1},"d":{"d":2}}',
    '{"d":2}',
  ],
  ['a string value "d" is not a key', '{"t":"d","op":0,"d":3}', '3'],
  ['keys that only resemble d (dd, D) are not d', '{"dd":1,"d":2,"D":3}', '2'],
  [
    'unicode: non-ASCII, emoji (surrogate pairs) and \\u escapes',
    '{"op":0,"d":{"content":"héllo 👋🏽 \\u00e9 \\ud83d\\ude00 中文"},"s":2}',
    '{"content":"héllo 👋🏽 \\u00e9 \\ud83d\\ude00 中文"}',
  ],
  [
    'whitespace around keys, colons, values and the end',
    ' \n{ "op" : 0 ,\t"d" :\r\n { "a" : [ 1 , 2 ] } , "s" : 1 }\n ',
    '{ "a" : [ 1 , 2 ] }',
  ],
];

const doubtful: Array<[rule: string, text: string]> = [
  ['not an object', '[{"d":1}]'],
  ['an empty object', '{}'],
  ['no d at all (a Hello)', '{"op":10,"d2":{"heartbeat_interval":1}}'],
  ['d twice: JSON.parse keeps the last, so in doubt', '{"d":1,"op":0,"d":2}'],
  ['a key with an escape, which JSON.parse may read as d', String.raw`{"op":0,"\u0064":1,"d":2}`],
  ['trailing text after the object', '{"op":0,"d":1} x'],
  ['an unterminated string (never valid JSON, but no span either)', '{"op":0,"d":"abc}'],
  ['an unclosed nested object', '{"op":0,"d":{"a":[1,2}'],
  ['a missing colon', '{"op" 0,"d":1}'],
  ['a missing value', '{"op":,"d":1}'],
];

describe('findDataSpan: rows that give a span', () => {
  for (const [rule, text, d] of found) {
    it(rule, () => {
      expect(rawData(text)).toBe(d);
      expect(JSON.parse(rawData(text)!)).toEqual((JSON.parse(text) as { d: unknown }).d);
    });
  }
});

describe('findDataSpan: rows in doubt (the caller falls back to JSON.stringify)', () => {
  for (const [rule, text] of doubtful) {
    it(rule, () => expect(findDataSpan(text)).toBeNull());
  }
});

describe('skipString and skipValue', () => {
  it('skipString counts backslashes: odd escapes the quote, even does not', () => {
    expect(skipString(String.raw`"a\"b" x`, 0)).toBe(6);
    expect(skipString(String.raw`"a\\" x`, 0)).toBe(5);
    expect(skipString(String.raw`"\\\"" x`, 0)).toBe(6);
    expect(skipString('"never closed', 0)).toBe(-1);
  });

  it('skipValue stops after the value, at a delimiter, and fails on an empty literal', () => {
    expect(skipValue('123,', 0)).toBe(3);
    expect(skipValue('null}', 0)).toBe(4);
    expect(skipValue('{"a":"}"} ', 0)).toBe(9);
    expect(skipValue(',', 0)).toBe(-1);
  });
});
