// Operands and instruction encoding for the assembler: parsing each operand (register, control
// register, KSP, memory operand, expression), choosing the ISA row whose operand forms fit, range
// checks, and messages that say what was expected.
import { encode } from './encoding';
import { type Expr, parseExpression } from './expression';
import type { Token } from './lexer';
import { nearest } from './suggest';
import { CONTROL_REGISTERS, type InstructionRow, MODE_BASE, MODE_IMM, type OperandForm, REGISTER_ALIASES, REGISTERS } from './table';

export type Operand =
  | { k: 'reg'; n: number; start: number; end: number }
  | { k: 'cr'; n: number; start: number; end: number }
  | { k: 'ksp'; start: number; end: number }
  | { k: 'mem'; base: number | undefined; expr: Expr | undefined; negate: boolean; start: number; end: number }
  | { k: 'expr'; expr: Expr; start: number; end: number };

/** One instruction statement of pass 1. */
export interface InstructionStatement {
  readonly line: number;
  readonly tokens: Token[];
  readonly at: number;
  readonly address: number;
  readonly rows?: readonly InstructionRow[];
}

/** What encoding needs from the assembler: its error list, expression values, its symbols. */
export interface EncodingContext {
  error(line: number, start: number, end: number, message: string): void;
  value(e: Expr, here: number, line: number): number | undefined;
  isDefined(name: string): boolean;
}

export const REGISTER_NAMES = [...REGISTERS, ...Object.keys(REGISTER_ALIASES)];

export function registerNumber(text: string): number | undefined {
  const u = text.toUpperCase();
  const i = (REGISTERS as readonly string[]).indexOf(u);
  if (i >= 0) return i;
  return REGISTER_ALIASES[u];
}

export function isReservedName(text: string): boolean {
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

export class InstructionEncoder {
  constructor(private readonly ctx: EncodingContext) {}

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
      if (/^R[0-9]+$/.test(u) && !this.ctx.isDefined(first.text)) {
        const near = nearest(u, REGISTER_NAMES);
        this.ctx.error(
          line,
          start,
          end,
          `unknown register '${first.text}' (VX has R0–R7 and SP)${near ? `; did you mean '${near}'?` : ''}`,
        );
        return undefined;
      }
      if (/^CR[0-9]+$/.test(u)) {
        this.ctx.error(line, start, end, `unknown control register '${first.text}' (VX has CR0, CR2 and CR3)`);
        return undefined;
      }
    }
    if (first.text === '[') {
      if (lastTok.text !== ']' || to - from < 3) {
        this.ctx.error(line, start, end, 'a memory operand is written [R1], [R1 + 4], [R1 - 4], [label] or [label + R1]');
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
            this.ctx.error(
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
            this.ctx.error(line, tokens[i].start, tokens[i].end, 'a memory operand has at most one register: [Rn + offset]');
            return undefined;
          }
        }
        const e = parseExpression(tokens, exprRange[0], exprRange[1]);
        if ('message' in e) {
          this.ctx.error(line, e.start, e.end, e.message);
          return undefined;
        }
        expr = e;
      }
      return { k: 'mem', base, expr, negate, start, end };
    }
    if (first.kind === 'ident' && isReservedName(first.text)) {
      this.ctx.error(line, tokens[from + 1].start, tokens[from + 1].end, `expected ',' after ${first.text.toUpperCase()}`);
      return undefined;
    }
    for (let i = from; i < to; i++) {
      const t = tokens[i];
      if (t.kind === 'ident' && isReservedName(t.text)) {
        this.ctx.error(line, t.start, t.end, `register ${t.text.toUpperCase()} cannot be part of an expression`);
        return undefined;
      }
    }
    const e = parseExpression(tokens, from, to);
    if ('message' in e) {
      this.ctx.error(line, e.start, e.end, e.message);
      return undefined;
    }
    return { k: 'expr', expr: e, start, end };
  }

  encode(s: InstructionStatement): Uint8Array | undefined {
    const { tokens, at, line, address } = s;
    const head = tokens[at];
    const ranges = splitOperands(tokens, at + 1);
    for (const r of ranges) {
      if (r[0] >= r[1]) {
        const t = tokens[Math.min(r[0], tokens.length - 1)];
        this.ctx.error(line, t.start, t.end, 'missing operand between commas');
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
          const v = this.ctx.value(op.expr, address, line);
          if (v === undefined) return undefined;
          imm = op.negate ? -v | 0 : v;
        }
      } else if (op.k === 'expr') {
        const v = this.ctx.value(op.expr, address, line);
        if (v === undefined) return undefined;
        if (f === 'n') {
          const check = this.checkRange(row, v, op, line);
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

  private checkRange(row: InstructionRow, v: number, op: Operand, line: number): boolean {
    const isPort = row.name === 'IN' || row.name === 'OUT';
    if (isPort && (v < 0 || v > 0xffff)) {
      this.ctx.error(line, op.start, op.end, `port ${v} is out of range (0 to 0xFFFF)`);
      return false;
    }
    if (row.name === 'INT' && (v < 0 || v > 255)) {
      this.ctx.error(line, op.start, op.end, `vector ${v} is out of range (0 to 255)`);
      return false;
    }
    return true;
  }

  private reportMismatch(head: Token, rows: readonly InstructionRow[], ops: Operand[], line: number, tokens: Token[]): void {
    const m = head.text.toUpperCase();
    const byCount = rows.filter((r) => r.operands.length === ops.length);
    if (byCount.length === 0) {
      const want = rows.map((r) => r.operands.length);
      const forms = rows.map((r) => `${m}${r.operands.length ? ` ${r.operands.join(', ')}` : ''}`).join(' or ');
      const n = Math.min(...want);
      this.ctx.error(
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
        this.ctx.error(line, op.start, op.end, `operand ${i + 1} of ${m} must be ${expected}${hint}`);
        return;
      }
    }
    const forms = byCount.map((r) => `${m} ${r.operands.join(', ')}`).join(' or ');
    this.ctx.error(line, head.start, tokens[tokens.length - 1].end, `these operands do not fit ${forms}`);
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
export function splitOperands(tokens: readonly Token[], from: number): [number, number][] {
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
