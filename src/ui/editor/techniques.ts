// What each technique does with each VX instruction, as data: the hover docs show it. Written from
// ../../../../shared/spec/virtualization.md, its table "What each technique does with each sensitive
// instruction" (guest kernel code on `classic`), its technique table and the sections on interrupts and
// hypercalls. `strict` overrides the four instructions that are privileged there (PUSHF, POPF, SMSW, SIDT).
// Keys are the ISA table's row names (src/isa/table.ts); the tests check that every row has an entry.

import { type InstructionRow, ISA, type Variant } from '../../isa/table';
import type { TechniqueId } from '../../protocol/messages';

export type TechniqueText = Readonly<Record<TechniqueId, string>>;

export interface InstructionTechniques {
  /** Guest kernel code on `classic`. */
  readonly classic: TechniqueText;
  /** What differs on `strict`. */
  readonly strict?: Partial<TechniqueText>;
}

/** The short names the hover uses for each technique, in TECHNIQUE_IDS order. */
export const TECHNIQUE_TITLES: Readonly<Record<TechniqueId, string>> = {
  native: 'native',
  interpret: 'interpret',
  'trap-and-emulate': 'trap-and-emulate',
  'binary-translation': 'binary translation',
  'hardware-assisted': 'hardware-assisted',
  paravirtualization: 'paravirtualization',
};

const INTERPRET = 'interpreted in software on the vCPU: never on the real CPU, nothing traps';
const PV_RAW_FAULTS = 'a PV kernel does not use it: run raw at real CPL 1 it faults and #GP is reflected into the guest';

/** An instruction that no technique needs to watch (data movement, arithmetic, NOP). */
const ORDINARY: TechniqueText = {
  native: 'runs on the CPU',
  interpret: INTERPRET,
  'trap-and-emulate': 'runs directly on the CPU (guest kernel at real CPL 3)',
  'binary-translation': 'guest kernel: copied unchanged into the translated block; guest user: runs directly',
  'hardware-assisted': 'runs directly in VMX non-root mode',
  paravirtualization: 'runs directly on the CPU (guest kernel at real CPL 1)',
};

/** A direct jump or call: the translator ends its block there and chains to the next. */
const BRANCH: TechniqueText = {
  ...ORDINARY,
  'binary-translation':
    'ends the translated block; the target block is translated when first reached (a register target is looked up in the translation cache)',
};

/** Sensitive and unprivileged on `classic`, privileged on `strict`: what changes there. */
const STRICT_TRAPS = (what: string): Partial<TechniqueText> => ({
  'trap-and-emulate': `privileged on strict: traps (#GP at real CPL 3) and is emulated: ${what}; no fidelity violation`,
  paravirtualization: 'privileged on strict: a raw one at real CPL 1 faults and #GP is reflected into the guest',
});

const SYSTEM_NATIVE = 'runs on the CPU at CPL 0, as the kernel expects';

const ENTRIES: Readonly<Record<string, InstructionTechniques>> = {
  CLI: {
    classic: {
      native: SYSTEM_NATIVE,
      interpret: INTERPRET,
      'trap-and-emulate': 'traps (#GP at real CPL 3), emulated: vIF ← 0',
      'binary-translation': 'translated inline: vIF ← 0, no trap',
      'hardware-assisted': 'direct: changes IF in the VMCS guest state, no exit',
      paravirtualization: `the kernel stores 1 to evtchn_upcall_mask in its vcpu_info instead (xen_irq_disable: no hypercall); ${PV_RAW_FAULTS}`,
    },
  },
  STI: {
    classic: {
      native: SYSTEM_NATIVE,
      interpret: INTERPRET,
      'trap-and-emulate': 'traps (#GP at real CPL 3), emulated: vIF ← 1, then a pending virtual interrupt is injected',
      'binary-translation': 'translated inline: vIF ← 1, no trap; a pending interrupt calls the hypervisor to inject it',
      'hardware-assisted': 'direct; when an interrupt is pending, an interrupt-window exit (reason 7) follows',
      paravirtualization: `the kernel stores 0 to evtchn_upcall_mask instead (xen_irq_enable), and makes a hypercall only if an event is pending; ${PV_RAW_FAULTS}`,
    },
  },
  POPF: {
    classic: {
      native: 'runs on the CPU: at CPL 0 every flag is written',
      interpret: INTERPRET,
      'trap-and-emulate': 'runs at real CPL 3 without trapping: IF is silently kept → fidelity violation when it should change',
      'binary-translation': 'translated: pops FLAGS and writes the popped IF into vIF, no trap',
      'hardware-assisted': 'direct: the VMCS holds the guest IF',
      paravirtualization: 'runs at real CPL 1: IF is silently kept → fidelity violation when it should change',
    },
    strict: STRICT_TRAPS('vIF ← the popped IF'),
  },
  PUSHF: {
    classic: {
      native: 'runs on the CPU',
      interpret: INTERPRET,
      'trap-and-emulate': 'runs without trapping and pushes the real IF → fidelity violation when vIF ≠ real IF',
      'binary-translation': 'translated: pushes FLAGS with vIF, no trap',
      'hardware-assisted': 'direct',
      paravirtualization: 'pushes the real IF → fidelity violation when it differs from vIF',
    },
    strict: STRICT_TRAPS('pushes FLAGS with vIF'),
  },
  SMSW: {
    classic: {
      native: 'runs on the CPU',
      interpret: INTERPRET,
      'trap-and-emulate': 'runs without trapping and returns the real CPL 3 → fidelity violation',
      'binary-translation': 'callout: returns the virtual CPL 0',
      'hardware-assisted': 'direct',
      paravirtualization: 'returns the real CPL 1 → fidelity violation',
    },
    strict: STRICT_TRAPS('returns the virtual CPL'),
  },
  SIDT: {
    classic: {
      native: 'runs on the CPU',
      interpret: INTERPRET,
      'trap-and-emulate':
        "runs without trapping and returns the hypervisor's IDT base 0xFC000000 → fidelity violation (in guest user code too: the Red Pill)",
      'binary-translation':
        "guest kernel: callout, returns the guest's IDTR; guest user code runs directly and sees 0xFC000000 (the Red Pill)",
      'hardware-assisted': "direct: returns the guest's IDTR from the VMCS, in user code too",
      paravirtualization: 'returns 0xFC000000 → fidelity violation (in guest user code too: the Red Pill)',
    },
    strict: STRICT_TRAPS("returns the guest's IDTR"),
  },
  CPUID: {
    classic: {
      native: 'runs on the CPU: VMX available, no hypervisor bit',
      interpret: INTERPRET,
      'trap-and-emulate': "runs without trapping and returns the real CPU's features (no hypervisor bit) → fidelity violation",
      'binary-translation':
        "guest kernel: callout, returns the virtual CPU's features (hypervisor bit set); guest user code runs directly and sees the real CPU",
      'hardware-assisted': "always exits (CPUID, reason 10); KVM's kvm_emulate_cpuid sets the hypervisor-present bit",
      paravirtualization: "runs directly in ring 1 and returns the real CPU's features → fidelity violation (unless the kernel asks Xen)",
    },
    strict: STRICT_TRAPS("returns the virtual CPU's features (hypervisor bit set)"),
  },
  IN: {
    classic: {
      native: 'reads the device port',
      interpret: 'interpreted; the device model answers',
      'trap-and-emulate': 'traps (#GP at real CPL 3); the hypervisor emulates the device',
      'binary-translation': 'translated into a call to the device model',
      'hardware-assisted': 'VM exit (I/O instruction, reason 30); the hypervisor emulates the device',
      paravirtualization: PV_RAW_FAULTS,
    },
  },
  OUT: {
    classic: {
      native: 'writes the device port',
      interpret: 'interpreted; the device model acts',
      'trap-and-emulate': 'traps (#GP at real CPL 3); the hypervisor emulates the device',
      'binary-translation': 'translated into a call to the device model',
      'hardware-assisted': 'VM exit (I/O instruction, reason 30); the hypervisor emulates the device',
      paravirtualization: `the kernel calls console_io, set_timer_op or sched_op (SCHEDOP_shutdown) instead; port I/O the domain may do is emulated by Xen (emulate_privileged_op)`,
    },
  },
  HLT: {
    classic: {
      native: SYSTEM_NATIVE,
      interpret: INTERPRET,
      'trap-and-emulate': 'traps; the hypervisor idles the vCPU until its next interrupt',
      'binary-translation': 'callout to the hypervisor',
      'hardware-assisted': 'VM exit (HLT, reason 12)',
      paravirtualization: `the kernel calls sched_op (SCHEDOP_block) instead; ${PV_RAW_FAULTS}`,
    },
  },
  LIDT: {
    classic: {
      native: SYSTEM_NATIVE,
      interpret: INTERPRET,
      'trap-and-emulate': 'traps, emulated: sets the virtual IDTR',
      'binary-translation': 'callout: sets the virtual IDTR',
      'hardware-assisted': 'direct: sets the IDTR in the VMCS guest state',
      paravirtualization: `the kernel calls the set_trap_table hypercall instead; ${PV_RAW_FAULTS}`,
    },
  },
  'MOV TO CR': {
    classic: {
      native: SYSTEM_NATIVE,
      interpret: 'interpreted; the software MMU follows the new CR0 / CR3',
      'trap-and-emulate': 'traps; writing CR3 or CR0 switches or rebuilds the shadow page table',
      'binary-translation': 'callout; writing CR3 or CR0 switches or rebuilds the shadow page table',
      'hardware-assisted':
        'with shadow paging: VM exit (control-register access, reason 28); with EPT: direct (CR3 exits only if CR3-load exiting is on)',
      paravirtualization: `the kernel calls mmuext_op (MMUEXT_NEW_BASEPTR) instead; a move from CR0/CR2/CR3 is emulated by Xen; ${PV_RAW_FAULTS}`,
    },
  },
  'MOV FROM CR': {
    classic: {
      native: SYSTEM_NATIVE,
      interpret: INTERPRET,
      'trap-and-emulate': 'traps, emulated: returns the virtual CRn',
      'binary-translation': 'callout: returns the virtual CRn',
      'hardware-assisted': 'direct: read from the VMCS guest state',
      paravirtualization: PV_RAW_FAULTS,
    },
  },
  'MOV TO KSP': {
    classic: {
      native: SYSTEM_NATIVE,
      interpret: INTERPRET,
      'trap-and-emulate': 'traps, emulated: sets the virtual KSP',
      'binary-translation': 'callout: sets the virtual KSP',
      'hardware-assisted': 'direct',
      paravirtualization: `the kernel calls the stack_switch hypercall instead; ${PV_RAW_FAULTS}`,
    },
  },
  'MOV FROM KSP': {
    classic: {
      native: SYSTEM_NATIVE,
      interpret: INTERPRET,
      'trap-and-emulate': 'traps, emulated: returns the virtual KSP',
      'binary-translation': 'callout: returns the virtual KSP',
      'hardware-assisted': 'direct',
      paravirtualization: PV_RAW_FAULTS,
    },
  },
  INVLPG: {
    classic: {
      native: SYSTEM_NATIVE,
      interpret: 'interpreted; drops the software TLB entry',
      'trap-and-emulate': 'traps; the hypervisor syncs the shadow page table (drops that entry)',
      'binary-translation': 'callout; the hypervisor syncs the shadow page table',
      'hardware-assisted': 'with shadow paging: VM exit (INVLPG, reason 14); with EPT: direct',
      paravirtualization: `the kernel calls mmuext_op (MMUEXT_INVLPG_LOCAL) instead; ${PV_RAW_FAULTS}`,
    },
  },
  IRET: {
    classic: {
      native: SYSTEM_NATIVE,
      interpret: INTERPRET,
      'trap-and-emulate': 'traps, emulated: pops PC, FLAGS (vIF), virtual CPL and SP',
      'binary-translation': 'callout: the hypervisor emulates the return',
      'hardware-assisted': 'direct',
      paravirtualization: `the kernel calls the iret hypercall instead; ${PV_RAW_FAULTS}`,
    },
  },
  INT: {
    classic: {
      native: 'interrupts through the IDT',
      interpret: 'interpreted: delivered through the guest IDT in software',
      'trap-and-emulate': "traps to the hypervisor, which reflects it through the guest's virtual IDT and switches the virtual CPL",
      'binary-translation': "guest kernel: callout; guest user: traps; either way reflected through the guest's IDT",
      'hardware-assisted': "no exit: delivered through the guest's IDT in non-root mode",
      paravirtualization:
        'vectors registered with set_trap_table go straight to the guest kernel (the fast system call); others trap and are reflected',
    },
  },
  VMCALL: {
    classic: {
      native: '#UD: there is no hypervisor',
      interpret: '#UD: no hypercall interface, reflected into the guest',
      'trap-and-emulate': '#UD: no hypercall interface, reflected into the guest',
      'binary-translation': '#UD: no hypercall interface, reflected into the guest',
      'hardware-assisted': 'VM exit (VMCALL, reason 18); the hypervisor serves the hypercall',
      paravirtualization: "Xen's hypercall n (arguments R1–R5, result R0: 0 or −errno); from guest user mode a #GP",
    },
  },
};

const BRANCHES = new Set(['JMP', 'CALL', 'RET']);

/** What each technique does with `row` (guest kernel code), on `variant`. */
export function techniquesFor(row: InstructionRow, variant: Variant): TechniqueText {
  const entry = ENTRIES[row.name];
  if (entry) return variant === 'strict' && entry.strict ? { ...entry.classic, ...entry.strict } : entry.classic;
  if (row.group === 'control' && (row.endsBlock || BRANCHES.has(row.name))) return BRANCH;
  return ORDINARY;
}

/** Rows that have their own entry (every sensitive or system row must). */
export function hasOwnEntry(row: InstructionRow): boolean {
  return row.name in ENTRIES;
}

/** A note that holds for every technique, shown under the table. */
export const USER_MODE_NOTE =
  'In guest user code a privileged instruction raises #GP under every technique, and the guest kernel gets it (reflected or injected), as on real hardware.';

/** Every row name the entries cover, for the tests. */
export const ENTRY_NAMES: readonly string[] = Object.keys(ENTRIES);

/** The rows whose technique text is the generic one (no technique treats them specially). */
export const ORDINARY_ROWS: readonly InstructionRow[] = ISA.filter((r) => !(r.name in ENTRIES));
