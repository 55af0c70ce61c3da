// The VX language for the editor, derived from the ISA table (src/isa/table.ts): a Monarch grammar, the
// language configuration and the theme. Plain data with no runtime import of Monaco, so that the tests
// check it in Node and the page's first chunk could use it without pulling Monaco in.
//
// Mnemonics are classed per instruction set variant: on `classic` PUSHF, POPF, SMSW and SIDT are
// sensitive but unprivileged (the Popek–Goldberg hole), on `strict` they are privileged. Each variant
// has its own grammar; the editor swaps them when the variant changes.
import type { editor, languages } from 'monaco-editor/editor/editor.api';
import {
  CONTROL_REGISTERS,
  DIRECTIVES,
  type InstructionRow,
  type OperandForm,
  REGISTER_ALIASES,
  REGISTERS,
  ROWS_BY_MNEMONIC,
  type Variant,
} from '../../isa/table';

export const VX_LANGUAGE_ID = 'vx';
export const VX_THEME_ID = 'virtlab';

/**
 * How the editor styles an instruction:
 * - `privileged`: raises #GP at CPL > 0 on this variant;
 * - `sensitive`: sensitive (Popek–Goldberg) but not privileged on this variant: it runs in user mode
 *   without trapping;
 * - `system`: a system instruction that is neither (INT, VMCALL);
 * - `control`: control flow; `plain`: data movement and arithmetic.
 */
export type MnemonicClass = 'privileged' | 'sensitive' | 'system' | 'control' | 'plain';
export const MNEMONIC_CLASSES: readonly MnemonicClass[] = ['privileged', 'sensitive', 'system', 'control', 'plain'];

/** Monarch token names (Monaco appends `.vx`); the theme colours them. */
export const TOKENS = {
  privileged: 'keyword.privileged',
  sensitive: 'keyword.sensitive',
  system: 'keyword.system',
  control: 'keyword.control',
  plain: 'keyword',
  register: 'variable.register',
  controlRegister: 'variable.control',
  directive: 'keyword.directive',
  label: 'type.label',
  identifier: 'identifier',
  number: 'number',
  char: 'number.char',
  string: 'string',
  comment: 'comment',
  operator: 'operator',
  bracket: 'delimiter.bracket',
  delimiter: 'delimiter',
  invalid: 'invalid',
} as const;

export const MNEMONIC_TOKEN: Readonly<Record<MnemonicClass, string>> = {
  privileged: TOKENS.privileged,
  sensitive: TOKENS.sensitive,
  system: TOKENS.system,
  control: TOKENS.control,
  plain: TOKENS.plain,
};

export function classOfRow(row: InstructionRow, variant: Variant): MnemonicClass {
  if (row.privileged[variant]) return 'privileged';
  if (row.sensitive.length > 0) return 'sensitive';
  if (row.group === 'system') return 'system';
  if (row.group === 'control') return 'control';
  return 'plain';
}

/** The row a mnemonic names on its own (MOV: the plain move; JE: JZ). */
export function baseRow(mnemonic: string): InstructionRow | undefined {
  const rows = ROWS_BY_MNEMONIC.get(mnemonic.toUpperCase());
  if (!rows) return undefined;
  return rows.find((r) => r.name === r.mnemonic && r.name === mnemonic.toUpperCase()) ?? rows[0];
}

/** The class of a mnemonic (or alias) as written alone, upper or lower case; undefined if it is none. */
export function mnemonicClass(mnemonic: string, variant: Variant): MnemonicClass | undefined {
  const row = baseRow(mnemonic);
  return row ? classOfRow(row, variant) : undefined;
}

/** Every mnemonic and alias, upper case, by class on `variant`. */
export function mnemonicsByClass(variant: Variant): Readonly<Record<MnemonicClass, readonly string[]>> {
  const out: Record<MnemonicClass, string[]> = { privileged: [], sensitive: [], system: [], control: [], plain: [] };
  for (const name of ROWS_BY_MNEMONIC.keys()) {
    const c = mnemonicClass(name, variant);
    if (c) out[c].push(name);
  }
  return out;
}

export const GENERAL_REGISTERS: readonly string[] = [...REGISTERS, ...Object.keys(REGISTER_ALIASES)];
/** CR0, CR2, CR3 and KSP: only MOV reaches them, and only at CPL 0. */
export const SYSTEM_REGISTERS: readonly string[] = [...Object.keys(CONTROL_REGISTERS), 'KSP'];

const FORM_PATTERN: Partial<Record<OperandForm, string>> = {
  r: `(?:${GENERAL_REGISTERS.join('|')})\\b`,
  cr: `(?:${Object.keys(CONTROL_REGISTERS).join('|')})\\b`,
  ksp: 'KSP\\b',
};

/**
 * Rows that share a mnemonic with another row of a different class (MOV to or from CRn and KSP is
 * privileged, a plain MOV is not): the operands decide, so each gets a rule with a look-ahead on them.
 */
export function operandRules(variant: Variant): { row: InstructionRow; pattern: string; cls: MnemonicClass }[] {
  const rules: { row: InstructionRow; pattern: string; cls: MnemonicClass }[] = [];
  for (const [mnemonic, rows] of ROWS_BY_MNEMONIC) {
    const base = baseRow(mnemonic);
    for (const row of rows) {
      const cls = classOfRow(row, variant);
      if (row === base || !base || cls === classOfRow(base, variant)) continue;
      const operands = row.operands.map((f) => FORM_PATTERN[f] ?? '[^,;]+?');
      rules.push({ row, cls, pattern: `${mnemonic}(?=[ \\t]+${operands.join('[ \\t]*,[ \\t]*')})` });
    }
  }
  return rules;
}

type Rule = languages.IMonarchLanguageRule;

/** The Monarch grammar of VX on `variant`. */
export function vxGrammar(variant: Variant): languages.IMonarchLanguage {
  const classes = mnemonicsByClass(variant);
  const special: Rule[] = operandRules(variant).map((r) => [new RegExp(r.pattern), MNEMONIC_TOKEN[r.cls]]);
  return {
    ignoreCase: true,
    defaultToken: TOKENS.invalid,
    tokenPostfix: `.${VX_LANGUAGE_ID}`,
    privileged: classes.privileged,
    sensitive: classes.sensitive,
    system: classes.system,
    control: classes.control,
    plain: classes.plain,
    registers: GENERAL_REGISTERS,
    systemRegisters: SYSTEM_REGISTERS,
    directives: [...DIRECTIVES],
    brackets: [
      { open: '[', close: ']', token: TOKENS.bracket },
      { open: '(', close: ')', token: 'delimiter.parenthesis' },
    ],
    tokenizer: {
      root: [
        [/[ \t]+/, ''],
        [/;.*$/, TOKENS.comment],
        // A label definition: `name:` (letters, digits, `_`, `.`; not starting with a digit).
        [/[A-Za-z_.][\w.]*(?=[ \t]*:)/, TOKENS.label],
        ...special,
        [/\.[A-Za-z_][\w.]*/, { cases: { '@directives': TOKENS.directive, '@default': TOKENS.identifier } }],
        [
          /[A-Za-z_][\w.]*/,
          {
            cases: {
              '@privileged': MNEMONIC_TOKEN.privileged,
              '@sensitive': MNEMONIC_TOKEN.sensitive,
              '@system': MNEMONIC_TOKEN.system,
              '@control': MNEMONIC_TOKEN.control,
              '@plain': MNEMONIC_TOKEN.plain,
              '@registers': TOKENS.register,
              '@systemRegisters': TOKENS.controlRegister,
              '@default': TOKENS.identifier,
            },
          },
        ],
        [/0[xX][0-9A-Fa-f_]*/, `${TOKENS.number}.hex`],
        [/0[bB][01_]*/, `${TOKENS.number}.binary`],
        [/\d\w*/, TOKENS.number],
        [/'(?:[^'\\]|\\.)*'?/, TOKENS.char],
        [/"(?:[^"\\]|\\.)*"?/, TOKENS.string],
        [/[[\]()]/, '@brackets'],
        [/<<|>>|[+\-*/%&|^~$]/, TOKENS.operator],
        [/[,:]/, TOKENS.delimiter],
      ],
    },
  };
}

export const vxLanguageConfiguration: languages.LanguageConfiguration = {
  comments: { lineComment: ';' },
  brackets: [
    ['[', ']'],
    ['(', ')'],
  ],
  autoClosingPairs: [
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"', notIn: ['string', 'comment'] },
    { open: "'", close: "'", notIn: ['string', 'comment'] },
  ],
  surroundingPairs: [
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"' },
  ],
  // Labels and directives hold dots; numbers are one word.
  wordPattern: /0[xXbB][0-9A-Fa-f_]+|\d+|[A-Za-z_.][A-Za-z0-9_.]*/,
};

/** Colours that read on a washed-out projector: dark, saturated, and told apart by more than hue. */
export const VX_COLORS = {
  privileged: '#b91c1c',
  sensitive: '#a21caf',
  system: '#0f766e',
  control: '#6d28d9',
  plain: '#1d4ed8',
  register: '#166534',
  controlRegister: '#9a3412',
  directive: '#92400e',
  label: '#0e7490',
  number: '#c2410c',
  string: '#047857',
  comment: '#5b6472',
  ink: '#14161a',
  invalid: '#b91c1c',
} as const;

const hex = (c: string) => c.slice(1);

export const VX_THEME: editor.IStandaloneThemeData = {
  base: 'vs',
  inherit: true,
  rules: [
    { token: '', foreground: hex(VX_COLORS.ink) },
    { token: TOKENS.privileged, foreground: hex(VX_COLORS.privileged), fontStyle: 'bold' },
    { token: TOKENS.sensitive, foreground: hex(VX_COLORS.sensitive), fontStyle: 'bold underline' },
    { token: TOKENS.system, foreground: hex(VX_COLORS.system), fontStyle: 'bold' },
    { token: TOKENS.control, foreground: hex(VX_COLORS.control), fontStyle: 'bold' },
    { token: TOKENS.plain, foreground: hex(VX_COLORS.plain), fontStyle: 'bold' },
    { token: TOKENS.register, foreground: hex(VX_COLORS.register) },
    { token: TOKENS.controlRegister, foreground: hex(VX_COLORS.controlRegister), fontStyle: 'bold' },
    { token: TOKENS.directive, foreground: hex(VX_COLORS.directive), fontStyle: 'bold' },
    { token: TOKENS.label, foreground: hex(VX_COLORS.label), fontStyle: 'bold' },
    { token: TOKENS.identifier, foreground: hex(VX_COLORS.ink) },
    { token: TOKENS.number, foreground: hex(VX_COLORS.number) },
    { token: `${TOKENS.number}.hex`, foreground: hex(VX_COLORS.number) },
    { token: `${TOKENS.number}.binary`, foreground: hex(VX_COLORS.number) },
    { token: TOKENS.char, foreground: hex(VX_COLORS.number) },
    { token: TOKENS.string, foreground: hex(VX_COLORS.string) },
    { token: TOKENS.comment, foreground: hex(VX_COLORS.comment), fontStyle: 'italic' },
    { token: TOKENS.operator, foreground: hex(VX_COLORS.ink) },
    { token: TOKENS.invalid, foreground: hex(VX_COLORS.invalid), fontStyle: 'underline' },
  ],
  colors: {
    'editor.background': '#fbfbfd',
    'editor.foreground': VX_COLORS.ink,
    'editorLineNumber.foreground': '#4b5563',
    'editorLineNumber.activeForeground': VX_COLORS.ink,
    'editorGutter.background': '#eef0f4',
    'editor.lineHighlightBackground': '#f1f3f7',
    'editor.lineHighlightBorder': '#00000000',
    'editorCursor.foreground': '#1d4ed8',
    'editor.selectionBackground': '#bfd3fb',
    'editorError.foreground': '#b91c1c',
    'editorWarning.foreground': '#a16207',
    'editorHoverWidget.background': '#ffffff',
    'editorHoverWidget.foreground': VX_COLORS.ink,
    'editorHoverWidget.border': '#9aa3b2',
    'editorSuggestWidget.background': '#ffffff',
    'editorSuggestWidget.border': '#9aa3b2',
    'editorSuggestWidget.selectedBackground': '#dbe6fd',
    'editorSuggestWidget.highlightForeground': '#1d4ed8',
    // The completion popup reads from the back of a hall: dark ink on white, the selected row too.
    'editorSuggestWidget.foreground': VX_COLORS.ink,
    'editorSuggestWidget.selectedForeground': VX_COLORS.ink,
    'editorSuggestWidget.focusHighlightForeground': '#1d4ed8',
    'editorSuggestWidgetStatus.foreground': '#374151',
    'list.activeSelectionForeground': VX_COLORS.ink,
    'list.inactiveSelectionForeground': VX_COLORS.ink,
  },
};
