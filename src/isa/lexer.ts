// Tokens of one line of VX assembly. Columns are 1-based; `end` is exclusive.

export type TokenKind = 'ident' | 'number' | 'string' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  /** For ident/punct: the text; for string: the decoded text; for number: the source text. */
  readonly text: string;
  readonly value: number;
  readonly start: number;
  readonly end: number;
}

export interface LexError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

const PUNCT2 = ['<<', '>>'];
const PUNCT1 = ',:[]+-*/%&|^~()$';
const IDENT_START = /[A-Za-z_.]/;
const IDENT_PART = /[A-Za-z0-9_.]/;
const ESCAPES: Record<string, number> = { n: 10, t: 9, '0': 0, '\\': 92, "'": 39, '"': 34, r: 13 };

export function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (code >= 0x21 && code < 0x7f) return `'${c}'`;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Splits a line into tokens, stopping at a `;` comment. Never throws. */
export function lex(line: string): { tokens: Token[]; error?: LexError } {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === ';') break;
    const start = i + 1;
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(line[j])) j++;
      tokens.push({ kind: 'ident', text: line.slice(i, j), value: 0, start, end: j + 1 });
      i = j;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(line[j])) j++;
      const text = line.slice(i, j);
      const value = parseNumber(text);
      if (value === undefined) {
        return { tokens, error: { message: `'${text}' is not a number (write 42, 0x2A or 0b101)`, start, end: j + 1 } };
      }
      tokens.push({ kind: 'number', text, value, start, end: j + 1 });
      i = j;
      continue;
    }
    if (c === "'") {
      const r = readQuoted(line, i, "'");
      if ('error' in r) return { tokens, error: r.error };
      if (r.codes.length !== 1) {
        return { tokens, error: { message: "a character literal holds exactly one character, like 'A' or '\\n'", start, end: r.next + 1 } };
      }
      tokens.push({ kind: 'number', text: line.slice(i, r.next), value: r.codes[0], start, end: r.next + 1 });
      i = r.next;
      continue;
    }
    if (c === '"') {
      const r = readQuoted(line, i, '"');
      if ('error' in r) return { tokens, error: r.error };
      tokens.push({ kind: 'string', text: fromCodes(r.codes), value: 0, start, end: r.next + 1 });
      i = r.next;
      continue;
    }
    const two = line.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      tokens.push({ kind: 'punct', text: two, value: 0, start, end: start + 2 });
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c)) {
      tokens.push({ kind: 'punct', text: c, value: 0, start, end: start + 1 });
      i++;
      continue;
    }
    const cp = line.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    return { tokens, error: { message: `unexpected character ${describeChar(String.fromCodePoint(cp))}`, start, end: start + width } };
  }
  return { tokens };
}

/** The string of these char codes, built in pieces (spreading a long line's worth overflows the stack). */
function fromCodes(codes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < codes.length; i += 4096) out += String.fromCharCode(...codes.slice(i, i + 4096));
  return out;
}

function parseNumber(text: string): number | undefined {
  let m: RegExpMatchArray | null;
  let v: number;
  if ((m = text.match(/^0[xX]([0-9a-fA-F]+)$/))) v = Number.parseInt(m[1], 16);
  else if ((m = text.match(/^0[bB]([01]+)$/))) v = Number.parseInt(m[1], 2);
  else if (/^[0-9]+$/.test(text)) v = Number.parseInt(text, 10);
  else return undefined;
  return Number.isFinite(v) ? v : undefined;
}

function readQuoted(line: string, i: number, quote: string): { codes: number[]; next: number } | { error: LexError } {
  const codes: number[] = [];
  let j = i + 1;
  while (j < line.length) {
    const c = line[j];
    if (c === quote) return { codes, next: j + 1 };
    if (c === '\\') {
      const e = line[j + 1];
      if (e === undefined || !(e in ESCAPES)) {
        return {
          error: {
            message: `unknown escape '\\${e ?? ''}' (use \\n, \\t, \\0, \\\\, \\' or \\")`,
            start: j + 1,
            end: j + 3,
          },
        };
      }
      codes.push(ESCAPES[e]);
      j += 2;
      continue;
    }
    const cp = line.codePointAt(j) ?? 0;
    if (cp > 0xff) {
      return {
        error: {
          message: `character ${describeChar(String.fromCodePoint(cp))} is not a byte (VX text is 8-bit)`,
          start: j + 1,
          end: j + 2,
        },
      };
    }
    codes.push(cp);
    j++;
  }
  return { error: { message: `missing closing ${quote}`, start: i + 1, end: line.length + 1 } };
}
