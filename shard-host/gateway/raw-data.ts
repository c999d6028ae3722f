// Finds the text of a gateway payload's top-level `d` value, so the host can splice it into the event
// envelope as-is instead of re-serialising the parsed object (bench/RESULTS.md: JSON.stringify of `d` was
// as costly as the JSON.parse of the whole payload).
//
// Only called on text that JSON.parse already accepted, so this scanner checks structure, not grammar: it
// walks the top-level members, skipping strings (escaped quotes included) and nested objects/arrays, and
// returns the span of the one member whose key is written exactly `"d"`. Discord does not promise key
// order (`d` may come first, last or in between). It answers null whenever the span might not be what
// JSON.parse produced as `d`, and the caller then falls back to JSON.stringify:
//   - the text is not an object, or a member or the end is not where it should be;
//   - a key contains a backslash (`"\u0064"` is also `d` to JSON.parse);
//   - `d` appears twice (JSON.parse keeps the last one) or not at all.

export interface Span {
  start: number;
  end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** `i` is at an opening quote; returns the index after the closing one, or -1 when unterminated. */
export function skipString(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return -1;
    // The quote is escaped when an odd number of backslashes precede it.
    let b = q - 1;
    while (b > i && text.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** `i` is at the first character of a value; returns the index after it, or -1 on a structural surprise. */
export function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const k = text.charCodeAt(j);
      if (k === QUOTE) {
        j = skipString(text, j);
        if (j < 0) return -1;
        j--; // the loop's j++ lands after the closing quote
      } else if (k === OPEN_BRACE || k === OPEN_BRACKET) {
        depth++;
      } else if (k === CLOSE_BRACE || k === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // A number or a literal (true, false, null): runs until a delimiter.
  let j = i;
  while (j < text.length) {
    const k = text.charCodeAt(j);
    if (k === COMMA || k === CLOSE_BRACE || k === CLOSE_BRACKET || isSpace(k)) break;
    j++;
  }
  return j > i ? j : -1;
}

function hasBackslash(text: string, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (text.charCodeAt(j) === BACKSLASH) return true;
  return false;
}

/** The span of the top-level `d` value in `text` (a JSON object), or null when in doubt (see above). */
export function findDataSpan(text: string): Span | null {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return null;
  i = skipSpace(text, i + 1);
  let found: Span | null = null;
  if (text.charCodeAt(i) === CLOSE_BRACE) return null; // {}: no d
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return null;
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return null;
    const isD = keyEnd - i === 3 && text.charCodeAt(i + 1) === 0x64;
    if (!isD && hasBackslash(text, i + 1, keyEnd - 1)) return null;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return null;
    const start = skipSpace(text, i + 1);
    const end = skipValue(text, start);
    if (end < 0) return null;
    if (isD) {
      if (found) return null;
      found = { start, end };
    }
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i = skipSpace(text, i + 1);
      continue;
    }
    if (c !== CLOSE_BRACE) return null;
    return skipSpace(text, i + 1) === text.length ? found : null;
  }
}

/** The raw JSON text of the top-level `d` value, or null when in doubt. */
export function rawData(text: string): string | null {
  const span = findDataSpan(text);
  return span ? text.slice(span.start, span.end) : null;
}
