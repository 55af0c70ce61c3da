// Untrusted text on a terminal: names, titles, paths and guest output can carry control characters,
// ANSI escape sequences (ESC, or the one-byte CSI U+009B) or bidirectional overrides that repaint the
// screen, fake a line or hide text. Everything the command line prints goes through here.

/** C0 controls but tab and newline, DEL, C1 controls, and the invisible direction marks and overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
/** The same, and tab and newline too: for one field on one line (a name, a path, a title). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_IN_FIELD = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
/** What JSON.stringify leaves raw but a terminal may act on (it escapes C0 itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Output text (several lines): every control character but newline and tab written as an escape. */
export function printable(s: string): string {
  return s.replace(UNSAFE_IN_TEXT, escapeChar);
}

/** One field on one line: newlines and tabs escaped too. */
export function printableField(s: string): string {
  return s.replace(UNSAFE_IN_FIELD, escapeChar);
}

/** JSON text with the characters a terminal acts on written as \u escapes: the same JSON value. */
export function safeJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
