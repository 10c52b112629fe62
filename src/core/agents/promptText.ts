/** The longest prompt kept (bytes of its JSON-escaped text); the tooltip shows at most this much. */
export const PROMPT_LIMIT_BYTES = 4096;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Text the reporter script keeps as it found it in a hook's JSON: the inside
 * of a JSON string, escapes and all, possibly cut at a byte limit (in the
 * middle of an escape or of a UTF-8 sequence). Decoded here, tolerant of the cut.
 */
export function decodeEscaped(raw: string): string {
  if (raw === '') return '';
  // A cut can leave half an escape at the end: an odd run of backslashes, or `\u` with fewer than four digits.
  const whole = raw.replace(/(?<!\\)((?:\\\\)*)\\(u[0-9a-fA-F]{0,3})?$/, '$1');
  const text = whole.replace(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (_escape, code: string) => (code.length === 5 ? String.fromCharCode(parseInt(code.slice(1), 16)) : SIMPLE_ESCAPES[code]));
  // A UTF-8 sequence cut at the limit reads as a replacement character at the end; a lone surrogate likewise.
  return text.replace(/[\uFFFD\uD800-\uDBFF]+$/, '');
}

/** The first line of a prompt with text, for a row: whitespace folded, at most `max` characters with `…`. */
export function promptLine(prompt: string, max = 60): string {
  const line = prompt.split('\n').map((part) => part.trim()).find((part) => part.length > 0) ?? '';
  const folded = line.replace(/\s+/g, ' ');
  if ([...folded].length <= max) return folded;
  const cut = [...folded].slice(0, max - 1).join('');
  // Cut at a word when one ends near the limit, so the row does not end in half a word.
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

/** The text JSON-escaped the way the reporter keeps it, bounded to `limit` bytes (for the first prompt a launch sends). */
export function encodeEscaped(text: string, limit: number): string {
  const escaped = JSON.stringify(text).slice(1, -1);
  const bytes = Buffer.from(escaped, 'utf8');
  return bytes.length <= limit ? escaped : bytes.subarray(0, limit).toString('utf8');
}
