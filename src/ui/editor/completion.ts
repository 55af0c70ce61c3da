// Completion for VX, derived from the ISA table: mnemonics with their operand forms (as snippets),
// registers, directives and the labels of the file. Plain data; the Monaco provider maps it to items.
import { CONTROL_REGISTERS, DIRECTIVES, type InstructionRow, ISA, type OperandForm, REGISTER_DOCS, type Variant } from '../../isa/table';
import { DIRECTIVE_DOCS, privilegeText, syntaxOf } from './docs';
import { classOfRow, GENERAL_REGISTERS, type MnemonicClass, SYSTEM_REGISTERS } from './vx-language';

export type CompletionKind = 'mnemonic' | 'register' | 'directive' | 'label';

export interface CompletionEntry {
  readonly kind: CompletionKind;
  /** What the list shows and filters on. */
  readonly label: string;
  /** Shown beside the label: the operand forms (`r, src`). */
  readonly forms?: string;
  /** A one-line description. */
  readonly detail: string;
  /** Markdown shown beside the list. */
  readonly documentation?: string;
  /** A snippet (`$1`, `${1:r}`, `${1|CR0,CR2,CR3|}`) when `snippet`, else plain text. */
  readonly insertText: string;
  readonly snippet: boolean;
  /** For mnemonics: how the editor styles it on this variant. */
  readonly class?: MnemonicClass;
  readonly sortText: string;
}

/** Where the cursor is in a statement: at its mnemonic or directive, in its operands, or in a comment or string. */
export type CompletionContext = 'mnemonic' | 'operand' | 'none';

/** Decides from the text of the line before the cursor. */
export function completionContext(linePrefix: string): CompletionContext {
  let inString: string | null = null;
  for (let i = 0; i < linePrefix.length; i++) {
    const c = linePrefix[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === inString) inString = null;
    } else if (c === '"' || c === "'") inString = c;
    else if (c === ';') return 'none';
  }
  if (inString) return 'none';
  // Leave out a label definition, then see whether a mnemonic (or directive) is already complete.
  const rest = linePrefix.replace(/^\s*[A-Za-z_.][\w.]*\s*:/, '');
  return /^\s*[A-Za-z_.][\w.]*\s/.test(rest) ? 'operand' : 'mnemonic';
}

/** A snippet tab stop with a placeholder: `${n:text}`. */
const stop = (n: number, text: string) => `\${${n}:${text}}`;

const SNIPPET_FORM: Readonly<Record<OperandForm, (n: number) => string>> = {
  r: (n) => stop(n, 'r'),
  src: (n) => stop(n, 'src'),
  m: (n) => `[${stop(n, 'R0')}]`,
  t: (n) => stop(n, 'label'),
  n: (n) => stop(n, 'n'),
  cr: (n) => `\${${n}|${Object.keys(CONTROL_REGISTERS).join(',')}|}`,
  ksp: () => 'KSP',
};

function snippetOf(row: InstructionRow, name: string): string {
  return row.operands.length ? `${name} ${row.operands.map((f, i) => SNIPPET_FORM[f](i + 1)).join(', ')}` : name;
}

function pad(n: number): string {
  return String(n).padStart(3, '0');
}

/** One entry per instruction row and name (aliases included): MOV appears once per operand form. */
export function mnemonicEntries(variant: Variant): CompletionEntry[] {
  const out: CompletionEntry[] = [];
  ISA.forEach((row, index) => {
    for (const name of [row.mnemonic, ...row.aliases]) {
      const cls = classOfRow(row, variant);
      const tag = cls === 'privileged' ? ' (privileged)' : cls === 'sensitive' ? ' (sensitive, not privileged)' : '';
      out.push({
        kind: 'mnemonic',
        label: name,
        forms: syntaxOf(row, '').trim(),
        detail: `${row.summary}${tag}`,
        documentation: `**\`${syntaxOf(row, name)}\`** — ${row.summary}\n\n${privilegeText(row, variant)}`,
        insertText: snippetOf(row, name),
        snippet: true,
        class: cls,
        sortText: `1${pad(index)}${name}`,
      });
    }
  });
  return out;
}

export function registerEntries(): CompletionEntry[] {
  return [...GENERAL_REGISTERS, ...SYSTEM_REGISTERS].map((name, i) => ({
    kind: 'register',
    label: name,
    detail: REGISTER_DOCS[name] ?? 'register',
    insertText: name,
    snippet: false,
    sortText: `2${pad(i)}`,
  }));
}

const DIRECTIVE_SNIPPETS: Readonly<Record<(typeof DIRECTIVES)[number], string>> = {
  '.org': `.org ${stop(1, '0x100')}`,
  '.word': `.word ${stop(1, '0')}`,
  '.byte': `.byte ${stop(1, '0')}`,
  '.ascii': `.ascii "${stop(1, 'text')}"`,
  '.asciz': `.asciz "${stop(1, 'text')}"`,
  '.space': `.space ${stop(1, '4')}`,
  '.align': `.align ${stop(1, '4')}`,
  '.equ': `.equ ${stop(1, 'NAME')}, ${stop(2, '0')}`,
};

export function directiveEntries(): CompletionEntry[] {
  return DIRECTIVES.map((name, i) => ({
    kind: 'directive',
    label: name,
    forms: DIRECTIVE_DOCS[name].syntax.slice(name.length).trim(),
    detail: DIRECTIVE_DOCS[name].doc,
    insertText: DIRECTIVE_SNIPPETS[name],
    snippet: true,
    sortText: `3${pad(i)}`,
  }));
}

/** The program's labels and `.equ` names, with their values. */
export function labelEntries(symbols: Readonly<Record<string, number>>): CompletionEntry[] {
  return Object.entries(symbols).map(([name, value]) => ({
    kind: 'label',
    label: name,
    detail: `= 0x${(value >>> 0).toString(16).toUpperCase().padStart(4, '0')}`,
    insertText: name,
    snippet: false,
    sortText: `0${name}`,
  }));
}

/** What to offer at the cursor: mnemonics and directives where a statement starts; registers and labels in operands. */
export function completionEntries(
  context: CompletionContext,
  variant: Variant,
  symbols: Readonly<Record<string, number>>,
): CompletionEntry[] {
  switch (context) {
    case 'mnemonic':
      return [...mnemonicEntries(variant), ...directiveEntries()];
    case 'operand':
      return [...labelEntries(symbols), ...registerEntries()];
    default:
      return [];
  }
}
