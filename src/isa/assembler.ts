// The VX assembler: the whole syntax of isa.md, two passes, every error reported, never throws.
import { encode } from './encoding';
import { type Expr, type ExprError, evaluate, parseExpression } from './expression';
import { lex, type Token } from './lexer';
import { nearest } from './suggest';
import {
  CONTROL_REGISTERS,
  DIRECTIVES,
  type InstructionRow,
  MEMORY_SIZE,
  MODE_BASE,
  MODE_IMM,
  type OperandForm,
  REGISTER_ALIASES,
  REGISTERS,
  ROWS_BY_MNEMONIC,
} from './table';

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

type Operand =
  | { k: 'reg'; n: number; start: number; end: number }
  | { k: 'cr'; n: number; start: number; end: number }
  | { k: 'ksp'; start: number; end: number }
  | { k: 'mem'; base: number | undefined; expr: Expr | undefined; negate: boolean; start: number; end: number }
  | { k: 'expr'; expr: Expr; start: number; end: number };

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

const REGISTER_NAMES = [...REGISTERS, ...Object.keys(REGISTER_ALIASES)];
const ALL_MNEMONICS = [...ROWS_BY_MNEMONIC.keys()];
const MAX_DIAGNOSTICS = 500;

function registerNumber(text: string): number | undefined {
  const u = text.toUpperCase();
  const i = (REGISTERS as readonly string[]).indexOf(u);
  if (i >= 0) return i;
  return REGISTER_ALIASES[u];
}

function isReservedName(text: string): boolean {
  const u = text.toUpperCase();
  return registerNumber(u) !== undefined || u in CONTROL_REGISTERS || u === 'KSP';
}

const FORM_TEXT: Record<OperandForm, string> = {
  r: 'a register',
  src: 'a register or a value',
  m: 'a memory operand like [R1 + 4]',
  t: 'a label, an address or a register',
  n: 'a value',
  cr: 'a control register (CR0, CR2, CR3)',
  ksp: 'KSP',
};

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
      const v = this.resolve(k, new Set());
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
        this.error(line, head.start, head.end, `expected an instruction or a directive, found '${head.text}'`);
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
          this.error(line, head.start, head.end, `unknown instruction '${head.text}'${hint}`);
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
      this.error(line, t.start, t.end, `'${t.text}' is a register name and cannot be a label`);
    } else if (this.labels.has(t.text) || this.equs.has(t.text)) {
      this.error(line, t.start, t.end, `'${t.text}' is already defined`);
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
          this.error(line, head.start, head.end, `.space needs a size from 0 to 65536, not ${v}`);
          return undefined;
        }
        return v;
      }
      case '.align': {
        if (!need(1)) return undefined;
        const v = now(args[0]);
        if (v === undefined) return undefined;
        if (v <= 0 || v > MEMORY_SIZE) {
          this.error(line, head.start, head.end, `.align needs a positive alignment up to 65536, not ${v}`);
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
          this.error(line, name.start, name.end, `'${name.text}' is already defined`);
        } else {
          this.equs.set(name.text, { expr: e, here: address, line });
        }
        return 0;
      }
    }
    const near = nearest(d, DIRECTIVES);
    this.error(line, head.start, head.end, `unknown directive '${head.text}'${near ? `; did you mean '${near}'?` : ''}`);
    return undefined;
  }

  private evalNow(tokens: Token[], [from, to]: [number, number], line: number, here: number): number | undefined {
    const e = parseExpression(tokens, from, to);
    if ('message' in e) {
      this.error(line, e.start, e.end, e.message);
      return undefined;
    }
    const v = evaluate(e, here, (name) => this.resolve(name, new Set()));
    if (typeof v !== 'number') {
      const msg = v.message.startsWith('undefined name') ? `${v.message}: it must be defined above this line` : v.message;
      this.error(line, v.start, v.end, msg);
      return undefined;
    }
    return v;
  }

  private resolve(name: string, seen: Set<string>): number | ExprError | undefined {
    const l = this.labels.get(name);
    if (l !== undefined) return l;
    const q = this.equs.get(name);
    if (!q) return undefined;
    if (seen.has(name)) return { message: `'${name}' is defined in terms of itself`, start: 1, end: 2 };
    seen.add(name);
    const v = evaluate(q.expr, q.here, (n) => this.resolve(n, seen));
    seen.delete(name);
    return v;
  }

  /** Evaluates an expression in pass 2, reporting an undefined name with the nearest known one. */
  private value(e: Expr, here: number, line: number): number | undefined {
    const v = evaluate(e, here, (name) => this.resolve(name, new Set()));
    if (typeof v === 'number') return v;
    let message = v.message;
    const m = message.match(/^undefined name '(.*)'$/);
    if (m) {
      const looksLikeRegister = /^[Rr][0-9]+$/.test(m[1]);
      const near = looksLikeRegister ? nearest(m[1], REGISTER_NAMES) : nearest(m[1], [...this.labels.keys(), ...this.equs.keys()], false);
      message = looksLikeRegister
        ? `unknown register '${m[1]}' (VX has R0–R7)${near ? `; did you mean '${near}'?` : ''}`
        : `undefined label '${m[1]}'${near ? `; did you mean '${near}'?` : ''}`;
    }
    this.error(line, v.start, v.end, message);
    return undefined;
  }

  // Pass 2: encode.
  private pass2(): { image: Uint8Array; sourceMap: SourceMapEntry[] } {
    const last = this.statements[this.statements.length - 1];
    const size = last ? last.address + last.size : 0;
    const image = new Uint8Array(Math.min(size, MEMORY_SIZE));
    const sourceMap: SourceMapEntry[] = [];
    for (const s of this.statements) {
      if (s.directive) this.emitDirective(s, image);
      else if (s.rows) {
        const bytes = this.encodeInstruction(s);
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

  private parseOperand(tokens: Token[], [from, to]: [number, number], line: number): Operand | undefined {
    const first = tokens[from];
    const lastTok = tokens[to - 1];
    if (from >= to) return undefined;
    const start = first.start;
    const end = lastTok.end;
    if (to - from === 1 && first.kind === 'ident') {
      const u = first.text.toUpperCase();
      const reg = registerNumber(u);
      if (reg !== undefined) return { k: 'reg', n: reg, start, end };
      if (u in CONTROL_REGISTERS) return { k: 'cr', n: CONTROL_REGISTERS[u], start, end };
      if (u === 'KSP') return { k: 'ksp', start, end };
      if (/^R[0-9]+$/.test(u) && !this.labels.has(first.text) && !this.equs.has(first.text)) {
        const near = nearest(u, REGISTER_NAMES);
        this.error(line, start, end, `unknown register '${first.text}' (VX has R0–R7 and SP)${near ? `; did you mean '${near}'?` : ''}`);
        return undefined;
      }
      if (/^CR[0-9]+$/.test(u)) {
        this.error(line, start, end, `unknown control register '${first.text}' (VX has CR0, CR2 and CR3)`);
        return undefined;
      }
    }
    if (first.text === '[') {
      if (lastTok.text !== ']' || to - from < 3) {
        this.error(line, start, end, 'a memory operand is written [R1], [R1 + 4], [R1 - 4], [label] or [label + R1]');
        return undefined;
      }
      const inner: [number, number] = [from + 1, to - 1];
      const isReg = (t: Token | undefined) => t?.kind === 'ident' && registerNumber(t.text) !== undefined;
      let base: number | undefined;
      let exprRange: [number, number] | undefined;
      let negate = false;
      if (isReg(tokens[inner[0]])) {
        base = registerNumber(tokens[inner[0]].text);
        if (inner[1] - inner[0] > 1) {
          const op = tokens[inner[0] + 1].text;
          if (op !== '+' && op !== '-') {
            this.error(
              line,
              tokens[inner[0] + 1].start,
              tokens[inner[0] + 1].end,
              `expected + or - after the register in a memory operand`,
            );
            return undefined;
          }
          negate = op === '-';
          exprRange = [inner[0] + 2, inner[1]];
        }
      } else if (isReg(tokens[inner[1] - 1]) && tokens[inner[1] - 2]?.text === '+') {
        base = registerNumber(tokens[inner[1] - 1].text);
        exprRange = [inner[0], inner[1] - 2];
      } else {
        exprRange = inner;
      }
      let expr: Expr | undefined;
      if (exprRange) {
        for (let i = exprRange[0]; i < exprRange[1]; i++) {
          if (isReg(tokens[i])) {
            this.error(line, tokens[i].start, tokens[i].end, 'a memory operand has at most one register: [Rn + offset]');
            return undefined;
          }
        }
        const e = parseExpression(tokens, exprRange[0], exprRange[1]);
        if ('message' in e) {
          this.error(line, e.start, e.end, e.message);
          return undefined;
        }
        expr = e;
      }
      return { k: 'mem', base, expr, negate, start, end };
    }
    if (first.kind === 'ident' && isReservedName(first.text)) {
      this.error(line, tokens[from + 1].start, tokens[from + 1].end, `expected ',' after ${first.text.toUpperCase()}`);
      return undefined;
    }
    for (let i = from; i < to; i++) {
      const t = tokens[i];
      if (t.kind === 'ident' && isReservedName(t.text)) {
        this.error(line, t.start, t.end, `register ${t.text.toUpperCase()} cannot be part of an expression`);
        return undefined;
      }
    }
    const e = parseExpression(tokens, from, to);
    if ('message' in e) {
      this.error(line, e.start, e.end, e.message);
      return undefined;
    }
    return { k: 'expr', expr: e, start, end };
  }

  private encodeInstruction(s: Statement): Uint8Array | undefined {
    const { tokens, at, line, address } = s;
    const head = tokens[at];
    const ranges = splitOperands(tokens, at + 1);
    for (const r of ranges) {
      if (r[0] >= r[1]) {
        const t = tokens[Math.min(r[0], tokens.length - 1)];
        this.error(line, t.start, t.end, 'missing operand between commas');
        return undefined;
      }
    }
    const ops: Operand[] = [];
    for (const r of ranges) {
      const op = this.parseOperand(tokens, r, line);
      if (!op) return undefined;
      ops.push(op);
    }
    const rows = s.rows ?? [];
    const row = rows.find((r) => r.operands.length === ops.length && r.operands.every((f, i) => fits(f, ops[i])));
    if (!row) {
      this.reportMismatch(head, rows, ops, line, tokens);
      return undefined;
    }
    let a = 0;
    let b = 0;
    let mode = 0;
    let imm = 0;
    let port = 0;
    const form = row.operands;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const f = form[i];
      if (op.k === 'reg') {
        // See table.ts: r goes in A (in B after a CR or KSP); a src or t register goes in B.
        if (f === 'r' && form[0] !== 'cr' && form[0] !== 'ksp') a = op.n;
        else b = op.n;
      } else if (op.k === 'cr') {
        if (i === 0) a = op.n;
        else b = op.n;
      } else if (op.k === 'mem') {
        if (op.base !== undefined) {
          b = op.base;
          mode |= MODE_BASE;
        }
        if (op.expr) {
          const v = this.value(op.expr, address, line);
          if (v === undefined) return undefined;
          imm = op.negate ? -v | 0 : v;
        }
      } else if (op.k === 'expr') {
        const v = this.value(op.expr, address, line);
        if (v === undefined) return undefined;
        if (f === 'n') {
          const check = this.checkRange(row, i, v, op, line);
          if (!check) return undefined;
          if (row.encoding === 'out') port = v;
          else imm = v;
        } else {
          imm = v;
          mode |= MODE_IMM;
        }
      }
    }
    return encode(row, a, b, mode, imm, port);
  }

  private checkRange(row: InstructionRow, i: number, v: number, op: Operand, line: number): boolean {
    const isPort = row.name === 'IN' || row.name === 'OUT';
    if (isPort && (v < 0 || v > 0xffff)) {
      this.error(line, op.start, op.end, `port ${v} is out of range (0 to 0xFFFF)`);
      return false;
    }
    if (row.name === 'INT' && (v < 0 || v > 255)) {
      this.error(line, op.start, op.end, `vector ${v} is out of range (0 to 255)`);
      return false;
    }
    void i;
    return true;
  }

  private reportMismatch(head: Token, rows: readonly InstructionRow[], ops: Operand[], line: number, tokens: Token[]): void {
    const m = head.text.toUpperCase();
    const byCount = rows.filter((r) => r.operands.length === ops.length);
    if (byCount.length === 0) {
      const want = rows.map((r) => r.operands.length);
      const forms = rows.map((r) => `${m}${r.operands.length ? ` ${r.operands.join(', ')}` : ''}`).join(' or ');
      const n = Math.min(...want);
      this.error(
        line,
        head.start,
        tokens[tokens.length - 1].end,
        `${m} takes ${n === 0 ? 'no operands' : `${n} operand${n > 1 ? 's' : ''}`} (${forms}), not ${ops.length}`,
      );
      return;
    }
    // Report the first operand that no row of this operand count accepts.
    for (let i = 0; i < ops.length; i++) {
      if (!byCount.some((r) => fits(r.operands[i], ops[i]))) {
        const forms = new Set(byCount.map((r) => r.operands[i]));
        if (forms.has('src')) forms.delete('r');
        const expected = [...forms].map((f) => FORM_TEXT[f]).join(', or ');
        const op = ops[i];
        let hint = op.k === 'mem' && m === 'MOV' ? '; memory is read with LOAD and written with STORE' : '';
        if (op.k === 'expr' && op.expr.k === 'sym' && byCount.some((r) => r.operands[i] === 'r')) {
          const near = nearest(op.expr.name, [...REGISTER_NAMES, ...Object.keys(CONTROL_REGISTERS), 'KSP']);
          hint = near ? `; '${op.expr.name}' is not a register, did you mean '${near}'?` : `; '${op.expr.name}' is not a register`;
        }
        this.error(line, op.start, op.end, `operand ${i + 1} of ${m} must be ${expected}${hint}`);
        return;
      }
    }
    const forms = byCount.map((r) => `${m} ${r.operands.join(', ')}`).join(' or ');
    this.error(line, head.start, tokens[tokens.length - 1].end, `these operands do not fit ${forms}`);
  }
}

function fits(f: OperandForm, op: Operand): boolean {
  switch (f) {
    case 'r':
      return op.k === 'reg';
    case 'src':
    case 't':
      return op.k === 'reg' || op.k === 'expr';
    case 'm':
      return op.k === 'mem';
    case 'n':
      return op.k === 'expr';
    case 'cr':
      return op.k === 'cr';
    case 'ksp':
      return op.k === 'ksp';
  }
}

/** Token ranges of comma-separated operands after `from` (brackets and parentheses nest). */
function splitOperands(tokens: readonly Token[], from: number): [number, number][] {
  if (from >= tokens.length) return [];
  const out: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i].text;
    if (tokens[i].kind === 'punct') {
      if (t === '[' || t === '(') depth++;
      else if (t === ']' || t === ')') depth--;
      else if (t === ',' && depth <= 0) {
        out.push([start, i]);
        start = i + 1;
      }
    }
  }
  out.push([start, tokens.length]);
  return out;
}
