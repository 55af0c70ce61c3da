// Hover docs and completion, derived from the ISA table: every instruction, register and directive is
// covered, with privilege and sensitivity per variant and what each technique does.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../isa/assembler';
import { CONTROL_REGISTERS, DIRECTIVES, ISA, REGISTER_ALIASES, REGISTERS, ROWS_BY_MNEMONIC, VARIANTS } from '../../isa/table';
import { TECHNIQUE_IDS } from '../../protocol/messages';
import { completionContext, completionEntries, directiveEntries, labelEntries, mnemonicEntries, registerEntries } from './completion';
import { directiveDoc, hoverDoc, instructionDoc, privilegeText, registerDoc, rowsOfStatement, syntaxOf } from './docs';
import { ENTRY_NAMES, hasOwnEntry, TECHNIQUE_TITLES, techniquesFor } from './techniques';
import { mnemonicClass } from './vx-language';

const MNEMONICS = [...ROWS_BY_MNEMONIC.keys()];
const ALL_REGISTERS = [...REGISTERS, ...Object.keys(REGISTER_ALIASES), ...Object.keys(CONTROL_REGISTERS), 'KSP'];

describe('what each technique does, as data', () => {
  it('has its own entry for every sensitive or system instruction, and names only rows of the table', () => {
    for (const row of ISA) {
      if (row.sensitive.length || row.group === 'system') expect(hasOwnEntry(row), row.name).toBe(true);
    }
    const names = new Set<string>(ISA.map((r) => r.name));
    for (const name of ENTRY_NAMES) expect(names.has(name), name).toBe(true);
  });

  it('says something for every technique, for every instruction, on both variants', () => {
    for (const variant of VARIANTS) {
      for (const row of ISA) {
        const text = techniquesFor(row, variant);
        for (const id of TECHNIQUE_IDS) expect(text[id]?.length, `${row.name} ${id} ${variant}`).toBeGreaterThan(3);
      }
    }
  });

  it('follows virtualization.md: the POPF problem, the Red Pill, exit reasons and hypercalls', () => {
    const row = (name: string) => ISA.find((r) => r.name === name) ?? ISA[0];
    const classic = (name: string) => techniquesFor(row(name), 'classic');
    const strict = (name: string) => techniquesFor(row(name), 'strict');
    expect(classic('POPF')['trap-and-emulate']).toMatch(/IF is silently kept → fidelity violation/);
    expect(strict('POPF')['trap-and-emulate']).toMatch(/traps/);
    expect(strict('POPF')['trap-and-emulate']).toMatch(/no fidelity violation/);
    expect(classic('SIDT')['trap-and-emulate']).toMatch(/0xFC000000/);
    expect(classic('SIDT')['binary-translation']).toMatch(/Red Pill/);
    expect(classic('CLI')['binary-translation']).toMatch(/inline/);
    expect(classic('OUT')['hardware-assisted']).toMatch(/reason 30/);
    expect(classic('HLT')['hardware-assisted']).toMatch(/reason 12/);
    expect(classic('MOV TO CR')['hardware-assisted']).toMatch(/reason 28/);
    expect(classic('INVLPG')['hardware-assisted']).toMatch(/reason 14/);
    expect(classic('VMCALL')['hardware-assisted']).toMatch(/reason 18/);
    for (const [name, hypercall] of [
      ['CLI', 'evtchn_upcall_mask'],
      ['STI', 'evtchn_upcall_mask'],
      ['HLT', 'SCHEDOP_block'],
      ['LIDT', 'set_trap_table'],
      ['MOV TO KSP', 'stack_switch'],
      ['MOV TO CR', 'MMUEXT_NEW_BASEPTR'],
      ['INVLPG', 'MMUEXT_INVLPG_LOCAL'],
      ['IRET', 'iret'],
    ]) {
      expect(classic(name).paravirtualization, name).toContain(hypercall);
    }
    // Only the four instructions whose privilege differs have strict overrides.
    for (const r of ISA) {
      const differs = r.privileged.classic !== r.privileged.strict;
      expect(JSON.stringify(techniquesFor(r, 'strict')) !== JSON.stringify(techniquesFor(r, 'classic')), r.name).toBe(differs);
    }
  });
});

describe('hover docs', () => {
  it('cover every mnemonic and alias with its summary, forms, privilege and a row per technique', () => {
    for (const variant of VARIANTS) {
      for (const m of MNEMONICS) {
        const doc = instructionDoc(m, variant) ?? '';
        for (const row of ROWS_BY_MNEMONIC.get(m) ?? []) {
          expect(doc, m).toContain(row.summary);
          expect(doc, m).toContain(syntaxOf(row, m));
        }
        for (const id of TECHNIQUE_IDS) {
          const title = TECHNIQUE_TITLES[id];
          expect(doc.includes(`| ${title} |`) || doc.includes(`*${title}*: `), `${m} ${id}`).toBe(true);
        }
        expect(instructionDoc(m.toLowerCase(), variant)).toBe(doc);
      }
    }
  });

  it('say privileged or sensitive-but-unprivileged by variant', () => {
    expect(instructionDoc('POPF', 'classic')).toContain('**Sensitive but not privileged** on classic');
    expect(instructionDoc('POPF', 'classic')).toContain('On strict it is privileged.');
    expect(instructionDoc('POPF', 'strict')).toContain('**Privileged** on strict');
    expect(instructionDoc('SIDT', 'classic')).toContain('Red Pill');
    expect(instructionDoc('CLI', 'classic')).toContain('**Privileged** on classic');
    expect(instructionDoc('ADD', 'classic')).toContain('Not privileged, not sensitive');
    expect(instructionDoc('POPF', 'classic')).toMatch(/\| trap-and-emulate \| runs at real CPL 3 without trapping/);
    expect(instructionDoc('POPF', 'classic')).toContain('*native*: ');
    for (const variant of VARIANTS) {
      for (const row of ISA) {
        const text = privilegeText(row, variant);
        if (row.privileged[variant]) expect(text).toMatch(/^\*\*Privileged\*\*/);
        else if (row.sensitive.length) expect(text).toMatch(/^\*\*Sensitive but not privileged\*\*/);
        else expect(text).toMatch(/^Not privileged, not sensitive/);
      }
    }
  });

  it('pick the MOV row from the operands', () => {
    const names = (operands?: string) => rowsOfStatement('MOV', operands).map((r) => r.name);
    expect(names(' CR3, R1')).toEqual(['MOV TO CR']);
    expect(names(' r1, cr2 ; read the fault address')).toEqual(['MOV FROM CR']);
    expect(names(' KSP, R1')).toEqual(['MOV TO KSP']);
    expect(names(' R1, KSP')).toEqual(['MOV FROM KSP']);
    expect(names(' R1, 5')).toEqual(['MOV']);
    expect(names()).toHaveLength(5);
    expect(instructionDoc('MOV', 'classic', ' CR3, R1')).toContain('**Privileged**');
    expect(instructionDoc('MOV', 'classic', ' R1, 5')).not.toContain('**Privileged**');
  });

  it('cover every register and directive, and the program’s symbols', () => {
    for (const r of ALL_REGISTERS) {
      expect(registerDoc(r), r).toContain(`**${r}**`);
      expect(registerDoc(r.toLowerCase()), r).toContain(`**${r}**`);
    }
    expect(registerDoc('CR3')).toContain('privileged');
    for (const d of DIRECTIVES) expect(directiveDoc(d), d).toContain(d);
    const { symbols } = assemble('start: NOP\n.equ LIMIT, 0x40\n');
    expect(hoverDoc('start', 'classic', { symbols })).toBe('**start** = `0x0000` (0)');
    expect(hoverDoc('LIMIT', 'classic', { symbols })).toContain('0x0040');
    expect(hoverDoc('r7', 'classic', { symbols })).toContain('stack pointer');
    expect(hoverDoc('.asciz', 'classic', { symbols })).toContain('0 byte');
    expect(hoverDoc('nothing', 'classic', { symbols })).toBeUndefined();
  });
});

describe('completion', () => {
  it('knows where a statement stands', () => {
    expect(completionContext('')).toBe('mnemonic');
    expect(completionContext('        PO')).toBe('mnemonic');
    expect(completionContext('loop:  ')).toBe('mnemonic');
    expect(completionContext('loop: IN')).toBe('mnemonic');
    expect(completionContext('  .as')).toBe('mnemonic');
    expect(completionContext('loop:  JMP ')).toBe('operand');
    expect(completionContext('  MOV R1, [R')).toBe('operand');
    expect(completionContext('  .word st')).toBe('operand');
    expect(completionContext('  NOP ; a comm')).toBe('none');
    expect(completionContext('  .asciz "no; ')).toBe('none');
    expect(completionContext("  MOV R1, ';'")).toBe('operand');
  });

  it('offers every mnemonic and alias with its operand forms, classed by variant', () => {
    for (const variant of VARIANTS) {
      const entries = mnemonicEntries(variant);
      expect(new Set(entries.map((e) => e.label))).toEqual(new Set(MNEMONICS));
      for (const e of entries) expect(e.class, e.label).toBeDefined();
      expect(entries.filter((e) => e.label === 'MOV').map((e) => e.forms)).toEqual(['r, src', 'CRn, r', 'r, CRn', 'KSP, r', 'r, KSP']);
      const popf = entries.find((e) => e.label === 'POPF');
      expect(popf?.class).toBe(mnemonicClass('POPF', variant));
    }
    const entries = mnemonicEntries('classic');
    // Snippets: tab stops with the operand forms as placeholders, a choice of control registers.
    const $ = '$';
    expect(entries.find((e) => e.forms === 'CRn, r')?.insertText).toBe(`MOV ${$}{1|CR0,CR2,CR3|}, ${$}{2:r}`);
    expect(entries.find((e) => e.label === 'LOAD')?.insertText).toBe(`LOAD ${$}{1:r}, [${$}{2:R0}]`);
    expect(entries.find((e) => e.label === 'JE')?.detail).toBe('jump if ZF');
    expect(entries.find((e) => e.label === 'POPF')?.detail).toContain('sensitive, not privileged');
  });

  it('offers registers and labels in operands, mnemonics and directives at a statement', () => {
    expect(registerEntries().map((e) => e.label)).toEqual([...REGISTERS, 'SP', 'CR0', 'CR2', 'CR3', 'KSP']);
    expect(directiveEntries().map((e) => e.label)).toEqual([...DIRECTIVES]);
    const { symbols } = assemble('start: NOP\nloop: JMP loop\n.equ N, 3\n');
    expect(labelEntries(symbols).map((e) => e.label)).toEqual(['start', 'loop', 'N']);
    const operand = completionEntries('operand', 'classic', symbols).map((e) => e.label);
    expect(operand).toContain('loop');
    expect(operand).toContain('R0');
    expect(operand).not.toContain('MOV');
    const statement = completionEntries('mnemonic', 'classic', symbols).map((e) => e.label);
    expect(statement).toContain('MOV');
    expect(statement).toContain('.asciz');
    expect(statement).not.toContain('loop');
    expect(completionEntries('none', 'classic', symbols)).toEqual([]);
  });
});
