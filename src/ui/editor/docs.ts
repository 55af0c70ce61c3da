// Hover documentation for VX, derived from the ISA table: every instruction (what it does, its operand
// forms, privileged? sensitive? and what each technique does with it), every register and directive.
// Markdown strings, built without Monaco so that the tests read them in Node.

import {
  CONTROL_REGISTERS,
  type DIRECTIVES,
  type InstructionRow,
  type OperandForm,
  REGISTER_ALIASES,
  REGISTER_DOCS,
  REGISTERS,
  ROWS_BY_MNEMONIC,
  VARIANTS,
  type Variant,
} from '../../isa/table';
import { TECHNIQUE_IDS } from '../../protocol/messages';
import { TECHNIQUE_TITLES, techniquesFor, USER_MODE_NOTE } from './techniques';
import { baseRow, classOfRow } from './vx-language';

/** Operand forms as the syntax line writes them, and what each means (isa.md's words). */
export const FORM_SYNTAX: Readonly<Record<OperandForm, string>> = { r: 'r', src: 'src', m: 'm', t: 't', n: 'n', cr: 'CRn', ksp: 'KSP' };
export const FORM_MEANING: Readonly<Record<OperandForm, string>> = {
  r: 'a register',
  src: 'a register or a value',
  m: 'a memory operand: [Rn], [Rn + expr], [expr]',
  t: 'a target: a label, an address or a register',
  n: 'a value (an expression)',
  cr: 'a control register: CR0, CR2 or CR3',
  ksp: 'the KSP register',
};

/** `MOV r, src`, `POPF`. */
export function syntaxOf(row: InstructionRow, mnemonic: string = row.mnemonic): string {
  return row.operands.length ? `${mnemonic} ${row.operands.map((f) => FORM_SYNTAX[f]).join(', ')}` : mnemonic;
}

export const DIRECTIVE_DOCS: Readonly<Record<(typeof DIRECTIVES)[number], { syntax: string; doc: string }>> = {
  '.org': { syntax: '.org expr', doc: 'moves the address forward to expr, filling with zeros' },
  '.word': { syntax: '.word expr, …', doc: '32-bit little-endian words' },
  '.byte': { syntax: '.byte expr, …', doc: 'bytes' },
  '.ascii': { syntax: '.ascii "text"', doc: 'the bytes of the text' },
  '.asciz': { syntax: '.asciz "text"', doc: 'the bytes of the text, then a 0 byte' },
  '.space': { syntax: '.space n', doc: 'n zero bytes' },
  '.align': { syntax: '.align n', doc: 'zero bytes up to the next multiple of n' },
  '.equ': { syntax: '.equ NAME, expr', doc: 'names a value (usable wherever an expression is)' },
};

function sensitivityWords(row: InstructionRow): string {
  const kinds = row.sensitive.map((s) => (s === 'control' ? 'control-sensitive' : 'behaviour-sensitive'));
  return kinds.join(' and ');
}

/** One line on privilege and sensitivity, for `variant`, noting how the other variant differs. */
export function privilegeText(row: InstructionRow, variant: Variant): string {
  const other = VARIANTS.find((v) => v !== variant) ?? variant;
  const differs = row.privileged[variant] !== row.privileged[other];
  const onOther = differs ? ` On ${other} it is ${row.privileged[other] ? 'privileged' : 'not privileged'}.` : '';
  const user = row.userSensitive ? ' User-sensitive too: run in guest user code, its result gives the hypervisor away (the Red Pill).' : '';
  switch (classOfRow(row, variant)) {
    case 'privileged':
      return `**Privileged** on ${variant}: #GP at CPL > 0. ${cap(sensitivityWords(row))}.${onOther}${user}`;
    case 'sensitive':
      return `**Sensitive but not privileged** on ${variant} (${sensitivityWords(row)}): at CPL > 0 it runs without a trap, the hole in Popek–Goldberg's theorem.${onOther}${user}`;
    default:
      return `Not privileged, not sensitive.${onOther}`;
  }
}

function cap(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** The techniques a hypervisor can use; native and interpret come on one line under their table. */
const HYPERVISOR_TECHNIQUES = TECHNIQUE_IDS.filter((id) => id !== 'native' && id !== 'interpret');

/** What each technique does with `row`: a markdown table, then a line for native and interpret. */
export function techniqueTable(row: InstructionRow, variant: Variant): string {
  const text = techniquesFor(row, variant);
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = HYPERVISOR_TECHNIQUES.map((id) => `| ${TECHNIQUE_TITLES[id]} | ${cell(text[id])} |`);
  const others = (['native', 'interpret'] as const).map((id) => `*${TECHNIQUE_TITLES[id]}*: ${text[id]}`).join(' · ');
  return [`| technique | guest kernel code, ${variant} |`, '|---|---|', ...lines, '', others].join('\n');
}

/**
 * The rows a statement can be, from its operands' text: `MOV CR3, R1` is the privileged MOV to CR, a
 * plain `MOV R1, 5` is not. Without operands to go by, every row of the mnemonic.
 */
export function rowsOfStatement(mnemonic: string, operandText?: string): readonly InstructionRow[] {
  const rows = ROWS_BY_MNEMONIC.get(mnemonic.toUpperCase()) ?? [];
  if (rows.length < 2 || operandText === undefined) return rows;
  const operands = operandText
    .replace(/;.*$/, '')
    .split(',')
    .map((o) => o.trim().toUpperCase());
  const formOf = (o: string): OperandForm | undefined => (o in CONTROL_REGISTERS ? 'cr' : o === 'KSP' ? 'ksp' : undefined);
  const special = operands.map(formOf);
  const matching = rows.filter((r) =>
    r.operands.every((f, i) => (f === 'cr' || f === 'ksp' ? special[i] === f : special[i] === undefined)),
  );
  return matching.length ? matching : rows;
}

/** Hover markdown for a mnemonic or alias (upper or lower case), or undefined if it is none. */
export function instructionDoc(word: string, variant: Variant, operandText?: string): string | undefined {
  const upper = word.toUpperCase();
  const rows = rowsOfStatement(upper, operandText);
  if (!rows.length) return undefined;
  const base = baseRow(upper);
  const alias = base && base.mnemonic !== upper ? `\n\n${upper} is another name for ${base.mnemonic}.` : '';
  const parts = rows.map((row) => {
    const forms = [...new Set(row.operands)].map((f) => `\`${FORM_SYNTAX[f]}\` ${FORM_MEANING[f]}`).join(' · ');
    return [
      `**\`${syntaxOf(row, upper)}\`** — ${row.summary}`,
      privilegeText(row, variant),
      techniqueTable(row, variant),
      [forms, `flags: ${row.flags}`, `cost: ${row.cycles}`].filter(Boolean).join(' · '),
    ]
      .filter(Boolean)
      .join('\n\n');
  });
  const anySensitive = rows.some((r) => r.sensitive.length > 0 || r.privileged[variant]);
  return `${parts.join('\n\n---\n\n')}${alias}${anySensitive ? `\n\n*${USER_MODE_NOTE}*` : ''}`;
}

const ALL_REGISTERS = [...REGISTERS, ...Object.keys(REGISTER_ALIASES), ...Object.keys(CONTROL_REGISTERS), 'KSP'];

/** Hover markdown for a register name (R0–R7, SP, CR0, CR2, CR3, KSP), or undefined. */
export function registerDoc(word: string): string | undefined {
  const upper = word.toUpperCase();
  if (!ALL_REGISTERS.includes(upper)) return undefined;
  const doc = REGISTER_DOCS[upper];
  const system =
    upper in CONTROL_REGISTERS || upper === 'KSP'
      ? `\n\nOnly \`MOV\` reads or writes it (\`MOV ${upper}, r\` / \`MOV r, ${upper}\`), and only at CPL 0: privileged and sensitive. Under a hypervisor the guest sees its virtual ${upper}.`
      : '';
  return `**${upper}** — ${doc ?? 'register'}${system}`;
}

/** Hover markdown for a directive, or undefined. */
export function directiveDoc(word: string): string | undefined {
  const d = DIRECTIVE_DOCS[word.toLowerCase() as keyof typeof DIRECTIVE_DOCS];
  return d ? `**\`${d.syntax}\`** — ${d.doc}` : undefined;
}

/** Hover markdown for a label or `.equ` name of the program. */
export function symbolDoc(name: string, value: number): string {
  const v = value >>> 0;
  return `**${name}** = \`0x${v.toString(16).toUpperCase().padStart(4, '0')}\` (${v})`;
}

/** Hover for a word of the program: an instruction, a register, a directive or a symbol. */
export function hoverDoc(
  word: string,
  variant: Variant,
  context: { operandText?: string; symbols?: Readonly<Record<string, number>> } = {},
): string | undefined {
  if (word.startsWith('.') && !(context.symbols && word in context.symbols)) return directiveDoc(word);
  if (context.symbols && Object.hasOwn(context.symbols, word)) return symbolDoc(word, context.symbols[word]);
  return registerDoc(word) ?? instructionDoc(word, variant, context.operandText);
}
