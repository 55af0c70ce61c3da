// The VX grammar, run through Monaco's own Monarch tokenizer: every mnemonic of the ISA table is
// styled by its class on each variant, and the rest of the language (registers, directives, labels,
// numbers, characters, strings, comments) gets its own tokens.
import { compile } from 'monaco-editor/editor/standalone/common/monarch/monarchCompile';
import { MonarchTokenizer } from 'monaco-editor/editor/standalone/common/monarch/monarchLexer';
import { describe, expect, it } from 'vitest';
import { DIRECTIVES, ISA, ROWS_BY_MNEMONIC, VARIANTS, type Variant } from '../../isa/table';
import {
  classOfRow,
  GENERAL_REGISTERS,
  MNEMONIC_CLASSES,
  MNEMONIC_TOKEN,
  mnemonicClass,
  mnemonicsByClass,
  operandRules,
  SYSTEM_REGISTERS,
  TOKENS,
  VX_COLORS,
  VX_LANGUAGE_ID,
  VX_THEME,
  vxGrammar,
} from './vx-language';

const MNEMONICS = [...ROWS_BY_MNEMONIC.keys()];
const SENSITIVE_UNPRIVILEGED_ON_CLASSIC = ['PUSHF', 'POPF', 'SMSW', 'SIDT', 'CPUID'];

/** Tokenizes `line` with the grammar of `variant`: [text, token] pairs, whitespace left out. */
function tokenize(variant: Variant, line: string): [string, string][] {
  const lexer = compile(VX_LANGUAGE_ID, vxGrammar(variant));
  const config = { getValue: () => 20_000, onDidChangeConfiguration: () => ({ dispose() {} }) };
  const tokenizer = new MonarchTokenizer(null, null, VX_LANGUAGE_ID, lexer, config);
  const { tokens } = tokenizer.tokenize(line, true, tokenizer.getInitialState());
  tokenizer.dispose();
  const out: [string, string][] = [];
  tokens.forEach((t, i) => {
    const text = line.slice(t.offset, tokens[i + 1]?.offset ?? line.length);
    if (text.trim()) out.push([text, t.type.replace(/\.vx$/, '')]);
  });
  return out;
}

function tokenOf(variant: Variant, line: string, text: string): string | undefined {
  return tokenize(variant, line).find(([t]) => t === text)?.[1];
}

describe('mnemonic classes from the ISA table', () => {
  it('put every mnemonic and alias in exactly one class, on each variant', () => {
    for (const variant of VARIANTS) {
      const classes = mnemonicsByClass(variant);
      const all = MNEMONIC_CLASSES.flatMap((c) => classes[c]);
      expect(all.sort()).toEqual([...MNEMONICS].sort());
    }
  });

  it('make PUSHF, POPF, SMSW, SIDT and CPUID sensitive but unprivileged on classic, privileged on strict', () => {
    expect([...mnemonicsByClass('classic').sensitive].sort()).toEqual([...SENSITIVE_UNPRIVILEGED_ON_CLASSIC].sort());
    expect(mnemonicsByClass('strict').sensitive).toEqual([]);
    for (const m of SENSITIVE_UNPRIVILEGED_ON_CLASSIC) {
      expect(mnemonicClass(m, 'classic')).toBe('sensitive');
      expect(mnemonicClass(m, 'strict')).toBe('privileged');
    }
  });

  it('follow each row: privileged rows are privileged, sensitive rows that are not are sensitive', () => {
    for (const variant of VARIANTS) {
      for (const row of ISA) {
        const cls = classOfRow(row, variant);
        if (row.privileged[variant]) expect(cls).toBe('privileged');
        else if (row.sensitive.length) expect(cls).toBe('sensitive');
        else expect(['system', 'control', 'plain']).toContain(cls);
      }
    }
  });

  it('tell the MOVs apart by their operands: to and from CRn and KSP are privileged', () => {
    for (const variant of VARIANTS) {
      expect(
        operandRules(variant)
          .map((r) => r.row.name)
          .sort(),
      ).toEqual(['MOV FROM CR', 'MOV FROM KSP', 'MOV TO CR', 'MOV TO KSP']);
    }
  });
});

describe('the grammar, through Monaco’s Monarch tokenizer', () => {
  it('styles every mnemonic and alias by its class, in upper and lower case, on both variants', () => {
    for (const variant of VARIANTS) {
      for (const m of MNEMONICS) {
        const want = MNEMONIC_TOKEN[mnemonicClass(m, variant) ?? 'plain'];
        expect(tokenOf(variant, `        ${m}`, m), `${m} on ${variant}`).toBe(want);
        expect(tokenOf(variant, `here:   ${m.toLowerCase()} R1, 2`, m.toLowerCase()), `${m} lower case on ${variant}`).toBe(want);
      }
    }
  });

  it('styles privileged and sensitive-unprivileged instructions apart on classic, alike on strict', () => {
    expect(tokenOf('classic', '  CLI', 'CLI')).toBe(TOKENS.privileged);
    expect(tokenOf('classic', '  POPF', 'POPF')).toBe(TOKENS.sensitive);
    expect(tokenOf('strict', '  POPF', 'POPF')).toBe(TOKENS.privileged);
    expect(TOKENS.privileged).not.toBe(TOKENS.sensitive);
    const rule = (token: string) => VX_THEME.rules.find((r) => r.token === token);
    expect(rule(TOKENS.privileged)?.foreground).not.toBe(rule(TOKENS.sensitive)?.foreground);
    expect(rule(TOKENS.sensitive)?.fontStyle).toContain('underline');
  });

  it('styles MOV by its operands', () => {
    for (const variant of VARIANTS) {
      expect(tokenOf(variant, '  MOV CR3, R1', 'MOV')).toBe(TOKENS.privileged);
      expect(tokenOf(variant, '  mov r1, cr0', 'mov')).toBe(TOKENS.privileged);
      expect(tokenOf(variant, '  MOV KSP, SP', 'MOV')).toBe(TOKENS.privileged);
      expect(tokenOf(variant, '  MOV R2,KSP ; save', 'MOV')).toBe(TOKENS.privileged);
      expect(tokenOf(variant, '  MOV R1, 5', 'MOV')).toBe(TOKENS.plain);
      expect(tokenOf(variant, '  MOV R1, CR', 'MOV')).toBe(TOKENS.plain);
      expect(tokenOf(variant, '  MOV R1, CR3x', 'MOV')).toBe(TOKENS.plain);
    }
  });

  it('knows registers, control registers, directives, labels, numbers, characters, strings and comments', () => {
    for (const r of GENERAL_REGISTERS) expect(tokenOf('classic', `  PUSH ${r}`, r)).toBe(TOKENS.register);
    for (const r of SYSTEM_REGISTERS)
      expect(tokenOf('classic', `  MOV R1, ${r.toLowerCase()}`, r.toLowerCase())).toBe(TOKENS.controlRegister);
    for (const d of DIRECTIVES) expect(tokenOf('classic', `  ${d} 4`, d)).toBe(TOKENS.directive);
    expect(tokenize('classic', 'msg:  .asciz "Hi, \\"you\\"; not a comment"  ; a comment')).toEqual([
      ['msg', TOKENS.label],
      [':', TOKENS.delimiter],
      ['.asciz', TOKENS.directive],
      ['"Hi, \\"you\\"; not a comment"', TOKENS.string],
      ['; a comment', TOKENS.comment],
    ]);
    expect(tokenize('classic', ".loop_2: MOV R1, [R2 + 0x2A] ; 'x'")).toEqual([
      ['.loop_2', TOKENS.label],
      [':', TOKENS.delimiter],
      ['MOV', TOKENS.plain],
      ['R1', TOKENS.register],
      [',', TOKENS.delimiter],
      ['[', TOKENS.bracket],
      ['R2', TOKENS.register],
      ['+', TOKENS.operator],
      ['0x2A', `${TOKENS.number}.hex`],
      [']', TOKENS.bracket],
      ["; 'x'", TOKENS.comment],
    ]);
    expect(tokenize('classic', "  .byte 'A', '\\n', 0b101, -5, 42, $ + 8, end")).toEqual([
      ['.byte', TOKENS.directive],
      ["'A'", TOKENS.char],
      [',', TOKENS.delimiter],
      ["'\\n'", TOKENS.char],
      [',', TOKENS.delimiter],
      ['0b101', `${TOKENS.number}.binary`],
      [',', TOKENS.delimiter],
      ['-', TOKENS.operator],
      ['5', TOKENS.number],
      [',', TOKENS.delimiter],
      ['42', TOKENS.number],
      [',', TOKENS.delimiter],
      ['$', TOKENS.operator],
      ['+', TOKENS.operator],
      ['8', TOKENS.number],
      [',', TOKENS.delimiter],
      ['end', TOKENS.identifier],
    ]);
  });

  it('keeps an unterminated string on its own line', () => {
    expect(tokenize('classic', '  .ascii "open')).toEqual([
      ['.ascii', TOKENS.directive],
      ['"open', TOKENS.string],
    ]);
  });

  it('has a theme colour for every class of mnemonic', () => {
    for (const cls of MNEMONIC_CLASSES) {
      const rule = VX_THEME.rules.find((r) => r.token === MNEMONIC_TOKEN[cls]);
      expect(rule?.foreground?.toLowerCase(), cls).toBe(VX_COLORS[cls].slice(1).toLowerCase());
    }
  });
});
