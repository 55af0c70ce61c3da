// The VX assembler: the whole syntax of isa.md, two passes, every error reported, never throws.
import { type Expr, type ExprError, evaluate, parseExpression } from './expression';
import { lex, type Token } from './lexer';
import { InstructionEncoder, isReservedName, REGISTER_NAMES, splitOperands } from './operands';
import { nearest } from './suggest';
import { DIRECTIVES, type InstructionRow, MEMORY_SIZE, ROWS_BY_MNEMONIC } from './table';

export interface Diagnostic {
  /** 1-based line. */
  readonly line: number;
  /** 1-based start column and exclusive end column. */
  readonly startColumn: number;
  readonly endColumn: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface SourceMapEntry {
  readonly address: number;
  readonly line: number;
}

export interface AssembleResult {
  readonly ok: boolean;
  /** The program image, loaded at address 0 (as long as its highest written byte). */
  readonly image: Uint8Array;
  readonly diagnostics: readonly Diagnostic[];
  /** One entry per instruction, in address order. */
  readonly sourceMap: readonly SourceMapEntry[];
  readonly symbols: Readonly<Record<string, number>>;
}

interface Statement {
  readonly line: number;
  readonly tokens: Token[];
  /** Index of the mnemonic or directive token. */
  readonly at: number;
  readonly address: number;
  readonly size: number;
  readonly directive?: string;
  readonly rows?: readonly InstructionRow[];
}

const ALL_MNEMONICS = [...ROWS_BY_MNEMONIC.keys()];

/** Every name an expression refers to, without recursion (expressions nest at most a few hundred deep). */
function symbolsOf(e: Expr): string[] {
  const out: string[] = [];
  const todo: Expr[] = [e];
  while (todo.length) {
    const x = todo.pop()!;
    if (x.k === 'sym') out.push(x.name);
    else if (x.k === 'un') todo.push(x.e);
    else if (x.k === 'bin') todo.push(x.r, x.l);
  }
  return out;
}

/** A 32-bit value as a message shows it: as written in hex too when it is large (0xFFFFFFFF, not -1). */
function describeValue(v: number): string {
  const u = v >>> 0;
  return u > 0xffff ? `0x${u.toString(16).toUpperCase()} (${u.toLocaleString('en-US')}${v < 0 ? `, or ${v} signed` : ''})` : String(v);
}

/** A name as messages show it: a very long one is cut (the column still points at all of it). */
function shortName(name: string): string {
  return name.length > 60 ? `${name.slice(0, 40)}…(${name.length.toLocaleString('en-US')} characters)` : name;
}
const MAX_DIAGNOSTICS = 500;

export function assemble(source: string): AssembleResult {
  try {
    return new Assembler(typeof source === 'string' ? source : String(source)).run();
  } catch (e) {
    // Defence in depth: the assembler is written not to throw; if it ever does, say so plainly.
    return {
      ok: false,
      image: new Uint8Array(0),
      diagnostics: [{ line: 1, startColumn: 1, endColumn: 2, severity: 'error', message: `internal assembler error: ${String(e)}` }],
      sourceMap: [],
      symbols: {},
    };
  }
}

class Assembler {
  private readonly lines: string[];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly labels = new Map<string, number>();
  private readonly equs = new Map<string, { expr: Expr; here: number; line: number }>();
  private readonly statements: Statement[] = [];
  private readonly encoder = new InstructionEncoder({
    error: (line, start, end, message) => this.error(line, start, end, message),
    value: (e, here, line) => this.value(e, here, line),
    isDefined: (name) => this.labels.has(name) || this.equs.has(name),
  });

  constructor(source: string) {
    this.lines = source.split(/\r\n|\r|\n/);
  }

  private error(line: number, start: number, end: number, message: string): void {
    if (this.diagnostics.length >= MAX_DIAGNOSTICS) return;
    this.diagnostics.push({ line, startColumn: start, endColumn: Math.max(end, start + 1), severity: 'error', message });
    if (this.diagnostics.length === MAX_DIAGNOSTICS) {
      this.diagnostics.push({ line, startColumn: 1, endColumn: 2, severity: 'error', message: 'too many errors; the rest are not shown' });
    }
  }

  run(): AssembleResult {
    this.pass1();
    const { image, sourceMap } = this.pass2();
    const ok = !this.diagnostics.some((d) => d.severity === 'error');
    this.diagnostics.sort((a, b) => a.line - b.line || a.startColumn - b.startColumn);
    const symbols: Record<string, number> = Object.create(null);
    for (const [k, v] of this.labels) symbols[k] = v;
    for (const k of this.equs.keys()) {
      const v = this.resolve(k);
      if (typeof v === 'number') symbols[k] = v;
    }
    return { ok, image: ok ? image : new Uint8Array(0), diagnostics: this.diagnostics, sourceMap, symbols };
  }

  // Pass 1: labels, sizes and addresses.
  private pass1(): void {
    let address = 0;
    for (let li = 0; li < this.lines.length; li++) {
      const line = li + 1;
      const { tokens, error } = lex(this.lines[li]);
      if (error) {
        this.error(line, error.start, error.end, error.message);
        continue;
      }
      let at = 0;
      while (at + 1 < tokens.length && tokens[at].kind === 'ident' && tokens[at + 1].text === ':') {
        this.defineLabel(tokens[at], line, address);
        at += 2;
      }
      if (at >= tokens.length) continue;
      const head = tokens[at];
      if (head.kind !== 'ident') {
        this.error(line, head.start, head.end, `expected an instruction or a directive, found '${shortName(head.text)}'`);
        continue;
      }
      if (head.text.startsWith('.')) {
        const size = this.directiveSize(head.text.toLowerCase(), tokens, at, line, address);
        if (size === undefined) continue;
        if (size > 0 || head.text.toLowerCase() !== '.equ') {
          this.statements.push({ line, tokens, at, address, size, directive: head.text.toLowerCase() });
        }
        address += size;
      } else {
        const rows = ROWS_BY_MNEMONIC.get(head.text.toUpperCase());
        if (!rows) {
          const near = nearest(head.text, ALL_MNEMONICS);
          const hint = tokens[at + 1]?.text === ':' ? '' : near ? `; did you mean '${near}'?` : '';
          this.error(line, head.start, head.end, `unknown instruction '${shortName(head.text)}'${hint}`);
          continue;
        }
        this.statements.push({ line, tokens, at, address, size: 8, rows });
        address += 8;
      }
      if (address > MEMORY_SIZE) {
        this.error(line, head.start, head.end, `the program no longer fits in 64 KiB (it reaches 0x${address.toString(16)})`);
        return;
      }
    }
  }

  private defineLabel(t: Token, line: number, address: number): void {
    if (/^[0-9]/.test(t.text)) {
      this.error(line, t.start, t.end, `a label cannot start with a digit`);
    } else if (isReservedName(t.text)) {
      this.error(line, t.start, t.end, `'${shortName(t.text)}' is a register name and cannot be a label`);
    } else if (this.labels.has(t.text) || this.equs.has(t.text)) {
      this.error(line, t.start, t.end, `'${shortName(t.text)}' is already defined`);
    } else {
      this.labels.set(t.text, address);
    }
  }

  /** Size in bytes of a directive, evaluating what must be known in pass 1. */
  private directiveSize(d: string, tokens: Token[], at: number, line: number, address: number): number | undefined {
    const head = tokens[at];
    const args = splitOperands(tokens, at + 1);
    const need = (count: number): boolean => {
      if (args.length !== count) {
        this.error(line, head.start, tokens[tokens.length - 1].end, `${d} takes ${count} operand${count > 1 ? 's' : ''}`);
        return false;
      }
      return true;
    };
    const now = (r: [number, number]): number | undefined => {
      const v = this.evalNow(tokens, r, line, address);
      return v;
    };
    switch (d) {
      case '.org': {
        if (!need(1)) return undefined;
        const v = now(args[0]);
        if (v === undefined) return undefined;
        if (v >>> 0 < address) {
          this.error(line, head.start, head.end, `.org 0x${(v >>> 0).toString(16)} would move backwards from 0x${address.toString(16)}`);
          return undefined;
        }
        if (v >>> 0 > MEMORY_SIZE) {
          this.error(line, head.start, head.end, `.org 0x${(v >>> 0).toString(16)} is outside the 64 KiB of memory`);
          return undefined;
        }
        return (v >>> 0) - address;
      }
      case '.space': {
        if (!need(1)) return undefined;
        const v = now(args[0]);
        if (v === undefined) return undefined;
        if (v < 0 || v > MEMORY_SIZE) {
          this.error(line, head.start, head.end, `.space needs a size from 0 to 65536 (the whole memory), not ${describeValue(v)}`);
          return undefined;
        }
        return v;
      }
      case '.align': {
        if (!need(1)) return undefined;
        const v = now(args[0]);
        if (v === undefined) return undefined;
        if (v <= 0 || v > MEMORY_SIZE) {
          this.error(line, head.start, head.end, `.align needs a positive alignment up to 65536, not ${describeValue(v)}`);
          return undefined;
        }
        return (v - (address % v)) % v;
      }
      case '.word':
      case '.byte':
        if (args.length === 0) {
          this.error(line, head.start, head.end, `${d} needs at least one value`);
          return undefined;
        }
        return args.length * (d === '.word' ? 4 : 1);
      case '.ascii':
      case '.asciz': {
        const t = tokens[at + 1];
        if (t?.kind !== 'string' || tokens.length !== at + 2) {
          this.error(line, head.start, (t ?? head).end, `${d} takes one string in double quotes, like ${d} "hello\\n"`);
          return undefined;
        }
        return t.text.length + (d === '.asciz' ? 1 : 0);
      }
      case '.equ': {
        const name = tokens[at + 1];
        if (name?.kind !== 'ident' || tokens[at + 2]?.text !== ',') {
          this.error(line, head.start, head.end, '.equ takes a name and a value, like .equ SIZE, 64');
          return undefined;
        }
        const e = parseExpression(tokens, at + 3, tokens.length);
        if ('message' in e) {
          this.error(line, e.start, e.end, e.message);
          return undefined;
        }
        if (isReservedName(name.text)) {
          this.error(line, name.start, name.end, `'${name.text}' is a register name and cannot be a .equ name`);
        } else if (this.labels.has(name.text) || this.equs.has(name.text)) {
          this.error(line, name.start, name.end, `'${shortName(name.text)}' is already defined`);
        } else {
          this.equs.set(name.text, { expr: e, here: address, line });
        }
        return 0;
      }
    }
    const near = nearest(d, DIRECTIVES);
    this.error(line, head.start, head.end, `unknown directive '${shortName(head.text)}'${near ? `; did you mean '${near}'?` : ''}`);
    return undefined;
  }

  private evalNow(tokens: Token[], [from, to]: [number, number], line: number, here: number): number | undefined {
    const e = parseExpression(tokens, from, to);
    if ('message' in e) {
      this.error(line, e.start, e.end, e.message);
      return undefined;
    }
    const v = evaluate(e, here, (name) => this.resolve(name));
    if (typeof v !== 'number') {
      const undef = v.message.match(/^undefined name '(.*)'$/);
      const msg = undef ? `undefined name '${shortName(undef[1])}': it must be defined above this line` : v.message;
      this.error(line, v.start, v.end, msg);
      return undefined;
    }
    return v;
  }

  /** Values of `.equ` names computed so far: each is computed once (a chain of doublings stays linear). */
  private readonly equValues = new Map<string, number>();
  /** The names each `.equ` expression refers to, found once. */
  private readonly equRefs = new Map<string, string[]>();

  /** Failures of `.equ` names, remembered once every label is known (pass 2): they cannot change then. */
  private readonly equErrors = new Map<string, ExprError>();
  private labelsComplete = false;

  /** Every name on the stack depends on the one that failed: each fails the same way. */
  private failed(stack: readonly { name: string }[], e: ExprError): ExprError {
    if (this.labelsComplete) for (const f of stack) this.equErrors.set(f.name, e);
    return e;
  }

  /**
   * The value of a label or `.equ` name; undefined if it is neither (yet). A `.equ` is computed once,
   * its own names first, without recursion (a chain of thousands of them cannot exhaust the stack);
   * a name defined in terms of itself is an error. A failure is not remembered: in pass 1 a later label
   * can still define what was missing.
   */
  private resolve(name: string): number | ExprError | undefined {
    const l = this.labels.get(name);
    if (l !== undefined) return l;
    if (!this.equs.has(name)) return undefined;
    const known = this.equValues.get(name);
    if (known !== undefined) return known;
    const failed = this.equErrors.get(name);
    if (failed) return failed;
    const lookup = (n: string): number | undefined => this.labels.get(n) ?? this.equValues.get(n);
    // Each frame: a name, and how many of its references are known to have values already.
    const stack: { name: string; next: number }[] = [{ name, next: 0 }];
    const onStack = new Set([name]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const q = this.equs.get(top.name)!;
      let refs = this.equRefs.get(top.name);
      if (!refs) this.equRefs.set(top.name, (refs = symbolsOf(q.expr)));
      while (top.next < refs.length) {
        const r = refs[top.next];
        if (this.equs.has(r) && !this.labels.has(r) && !this.equValues.has(r)) break;
        top.next++;
      }
      if (top.next < refs.length) {
        const pending = refs[top.next];
        if (onStack.has(pending))
          return this.failed(stack, { message: `'${shortName(pending)}' is defined in terms of itself`, start: 1, end: 2 });
        stack.push({ name: pending, next: 0 });
        onStack.add(pending);
        continue;
      }
      const v = evaluate(q.expr, q.here, lookup);
      if (typeof v !== 'number') return this.failed(stack, v);
      this.equValues.set(top.name, v);
      stack.pop();
      onStack.delete(top.name);
    }
    return this.equValues.get(name);
  }

  /** Evaluates an expression in pass 2, reporting an undefined name with the nearest known one. */
  private value(e: Expr, here: number, line: number): number | undefined {
    const v = evaluate(e, here, (name) => this.resolve(name));
    if (typeof v === 'number') return v;
    let message = v.message;
    const m = message.match(/^undefined name '(.*)'$/);
    if (m) {
      const looksLikeRegister = /^[Rr][0-9]+$/.test(m[1]);
      let near = looksLikeRegister ? nearest(m[1], REGISTER_NAMES) : nearest(m[1], [...this.labels.keys(), ...this.equs.keys()], false);
      if (near) near = shortName(near);
      message = looksLikeRegister
        ? `unknown register '${shortName(m[1])}' (VX has R0–R7)${near ? `; did you mean '${near}'?` : ''}`
        : `undefined label '${shortName(m[1])}'${near ? `; did you mean '${near}'?` : ''}`;
    }
    this.error(line, v.start, v.end, message);
    return undefined;
  }

  // Pass 2: encode.
  private pass2(): { image: Uint8Array; sourceMap: SourceMapEntry[] } {
    this.labelsComplete = true;
    const last = this.statements[this.statements.length - 1];
    const size = last ? last.address + last.size : 0;
    const image = new Uint8Array(Math.min(size, MEMORY_SIZE));
    const sourceMap: SourceMapEntry[] = [];
    for (const s of this.statements) {
      if (s.directive) this.emitDirective(s, image);
      else if (s.rows) {
        const bytes = this.encoder.encode(s);
        if (bytes) image.set(bytes, s.address);
        sourceMap.push({ address: s.address, line: s.line });
      }
    }
    return { image, sourceMap };
  }

  private emitDirective(s: Statement, image: Uint8Array): void {
    const { tokens, at, line, address } = s;
    switch (s.directive) {
      case '.word':
      case '.byte': {
        let a = address;
        for (const r of splitOperands(tokens, at + 1)) {
          const e = parseExpression(tokens, r[0], r[1]);
          if ('message' in e) {
            this.error(line, e.start, e.end, e.message);
            continue;
          }
          const v = this.value(e, a, line);
          if (v !== undefined) {
            if (s.directive === '.byte') {
              if (v < -128 || v > 255)
                this.error(line, tokens[r[0]].start, tokens[r[1] - 1].end, `${v} does not fit in a byte (-128 to 255)`);
              image[a] = v & 0xff;
            } else {
              image[a] = v & 0xff;
              image[a + 1] = (v >>> 8) & 0xff;
              image[a + 2] = (v >>> 16) & 0xff;
              image[a + 3] = (v >>> 24) & 0xff;
            }
          }
          a += s.directive === '.byte' ? 1 : 4;
        }
        return;
      }
      case '.ascii':
      case '.asciz': {
        const text = tokens[at + 1].text;
        for (let i = 0; i < text.length; i++) image[address + i] = text.charCodeAt(i);
        return;
      }
    }
  }
}
