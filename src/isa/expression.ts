// Expressions of VX assembly: numbers, labels, `.equ` names, `$`, C operators and precedence.
import type { Token } from './lexer';

export type Expr =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'sym'; readonly name: string; readonly start: number; readonly end: number }
  | { readonly k: 'here' }
  | { readonly k: 'un'; readonly op: string; readonly e: Expr }
  | { readonly k: 'bin'; readonly op: string; readonly l: Expr; readonly r: Expr; readonly start: number; readonly end: number };

export interface ExprError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

/**
 * How deep an expression may nest: parentheses, signs and operators each add a level (a + b + c is two).
 * Far beyond any real program; it keeps parsing and evaluation from running out of stack.
 */
export const MAX_EXPRESSION_DEPTH = 256;

const BINARY: Record<string, number> = { '*': 10, '/': 10, '%': 10, '+': 9, '-': 9, '<<': 8, '>>': 8, '&': 7, '^': 6, '|': 5 };

/** Parses tokens[from, to) as one expression. */
export function parseExpression(tokens: readonly Token[], from: number, to: number): Expr | ExprError {
  if (from >= to) {
    const at = tokens[from - 1]?.end ?? tokens[from]?.start ?? 1;
    return { message: 'expected an expression', start: at, end: at + 1 };
  }
  let pos = from;
  const fail = (message: string, t: Token | undefined): ExprError => ({
    message,
    start: t?.start ?? tokens[to - 1].end,
    end: t?.end ?? tokens[to - 1].end + 1,
  });
  /** The depth of each node built (a leaf is 1), to refuse trees deeper than MAX_EXPRESSION_DEPTH. */
  const depth = new WeakMap<Expr, number>();
  const depthOf = (e: Expr) => depth.get(e) ?? 1;
  const tooDeep = (t: Token | undefined): ExprError =>
    fail(
      `expression nested too deeply (more than ${MAX_EXPRESSION_DEPTH} levels of parentheses, signs or operators); split it with .equ`,
      t,
    );
  /** Parentheses and signs open so far (the recursion depth of primary). */
  let open = 0;

  function primary(): Expr | ExprError {
    const t = pos < to ? tokens[pos] : undefined;
    if (!t) return fail('expected a value after the operator', undefined);
    if (t.kind === 'number') {
      pos++;
      if (t.value > 0xffffffff) return fail(`${t.text} does not fit in 32 bits`, t);
      return { k: 'num', v: t.value };
    }
    if (t.kind === 'ident') {
      pos++;
      return { k: 'sym', name: t.text, start: t.start, end: t.end };
    }
    if (t.kind === 'punct') {
      if (t.text === '$') {
        pos++;
        return { k: 'here' };
      }
      if (t.text === '-' || t.text === '~' || t.text === '+') {
        if (++open > MAX_EXPRESSION_DEPTH) return tooDeep(t);
        pos++;
        const e = primary();
        open--;
        if ('message' in e) return e;
        if (t.text === '+') return e;
        const u: Expr = { k: 'un', op: t.text, e };
        depth.set(u, depthOf(e) + 1);
        return depthOf(u) > MAX_EXPRESSION_DEPTH ? tooDeep(t) : u;
      }
      if (t.text === '(') {
        if (++open > MAX_EXPRESSION_DEPTH) return tooDeep(t);
        pos++;
        const e = binary(0);
        open--;
        if ('message' in e) return e;
        const close = pos < to ? tokens[pos] : undefined;
        if (close?.text !== ')') return fail("missing ')'", close);
        pos++;
        return e;
      }
    }
    if (t.kind === 'string') return fail('a string is not a number here (strings go in .ascii or .asciz)', t);
    return fail(`unexpected '${t.text}' in an expression`, t);
  }

  function binary(minPrec: number): Expr | ExprError {
    let left = primary();
    if ('message' in left) return left;
    for (;;) {
      const t = pos < to ? tokens[pos] : undefined;
      if (t?.kind !== 'punct') break;
      const prec = BINARY[t.text];
      if (prec === undefined || prec <= minPrec) break;
      pos++;
      const right = binary(prec);
      if ('message' in right) return right;
      const d = Math.max(depthOf(left), depthOf(right)) + 1;
      left = { k: 'bin', op: t.text, l: left, r: right, start: t.start, end: t.end };
      depth.set(left, d);
      if (d > MAX_EXPRESSION_DEPTH) return tooDeep(t);
    }
    return left;
  }

  const e = binary(0);
  if ('message' in e) return e;
  if (pos < to) return fail(`unexpected '${tokens[pos].text}' after the expression`, tokens[pos]);
  return e;
}

export type Resolver = (name: string) => number | ExprError | undefined;

/** Evaluates with 32-bit wrap-around; `/` and `%` are signed and truncate, `>>` is logical. */
export function evaluate(e: Expr, here: number, resolve: Resolver): number | ExprError {
  switch (e.k) {
    case 'num':
      return e.v | 0;
    case 'here':
      return here | 0;
    case 'sym': {
      const v = resolve(e.name);
      if (v === undefined) return { message: `undefined name '${e.name}'`, start: e.start, end: e.end };
      return v;
    }
    case 'un': {
      const v = evaluate(e.e, here, resolve);
      if (typeof v !== 'number') return v;
      return e.op === '-' ? -v | 0 : ~v;
    }
    case 'bin': {
      const l = evaluate(e.l, here, resolve);
      if (typeof l !== 'number') return l;
      const r = evaluate(e.r, here, resolve);
      if (typeof r !== 'number') return r;
      switch (e.op) {
        case '+':
          return (l + r) | 0;
        case '-':
          return (l - r) | 0;
        case '*':
          return Math.imul(l, r);
        case '/':
        case '%':
          if (r === 0) return { message: `division by zero in an expression`, start: e.start, end: e.end };
          return e.op === '/' ? Math.trunc(l / r) | 0 : (l % r) | 0;
        case '<<':
          return l << (r & 31);
        case '>>':
          return (l >>> (r & 31)) | 0;
        case '&':
          return l & r;
        case '|':
          return l | r;
        case '^':
          return l ^ r;
      }
      return { message: `unknown operator '${e.op}'`, start: e.start, end: e.end };
    }
  }
}
