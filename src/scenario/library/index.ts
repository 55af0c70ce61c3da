// The built-in scenario library: one lecture topic each, with notes (Markdown, rendered safely), the
// technique and settings to start with, and what to look for. Sources come from programs/, where
// they are tested under every technique.
import type { LookForStep } from '../checks';
import { type Scenario, validateScenario } from '../scenario';
import { PROGRAM_SOURCES, SCENARIO_FILES } from './programs.generated';

export interface LibraryEntry {
  readonly id: string;
  readonly title: string;
  readonly topics: readonly string[];
  readonly notes: string;
  /** "What to look for": steps a student follows, in order (their texts). */
  readonly lookFor: readonly string[];
  /** The same steps with their checks and settings (the scenario's `lookFor`, docs/checks.md). */
  readonly steps: readonly LookForStep[];
  /** The scenario JSON (notes and look-for steps folded into its `notes`). */
  readonly scenario: Record<string, unknown>;
}

interface Spec {
  id: string;
  title: string;
  topics: string[];
  notes: string;
  lookFor: LookForStep[];
  program?: string;
  file?: string;
  settings: Record<string, unknown>;
}

const SPECS: Spec[] = [
  {
    id: 'bare-metal',
    title: 'Bare metal: how an OS uses rings, the IDT, system calls and page tables',
    topics: ['bare metal', 'rings', 'IDT', 'system calls', 'page tables'],
    program: 'bare-metal',
    settings: { technique: 'native', preset: '2006' },
    notes:
      'No hypervisor at all: the kernel runs at CPL 0, builds a page table and turns paging on (CR3, CR0.PG), loads its IDT with LIDT and drops to user mode (CPL 3) with IRET. Every system call is an INT 0x80 that the CPU delivers through the IDT straight to the kernel; a store to a page that is not present raises #PF, and the kernel maps the page and returns to the store; a privileged instruction in user mode raises #GP. This is the reference every technique is compared with: Compare lists it as `native`.',
    lookFor: [
      {
        text: 'Step to event: each `interrupt` event is the CPU itself delivering INT 0x80 (vector 128) to the kernel through the IDT — no `trap`, no VM exit, no hypervisor at all.',
        check: {
          all: [
            { event: { kind: 'interrupt', vector: 128, cause: 'software' } },
            {
              none: {
                kind: { oneOf: ['trap', 'vm-exit', 'hypercall', 'translate', 'emulate', 'reflect', 'hidden-fault', 'world-switch'] },
              },
            },
          ],
        },
      },
      {
        text: "The user program's store to page 10 raises #PF (vector 14): the kernel reads CR2, maps the page (demand paging) and returns to the store, which runs again.",
        check: {
          all: [
            { event: { kind: 'interrupt', vector: 14, cause: 'exception' } },
            { console: { contains: 'kernel: page 10 mapped on demand' } },
            { console: { contains: 'read back: yes' } },
          ],
        },
      },
      {
        text: "Its CLI raises #GP (vector 13): user mode may not run privileged instructions; the kernel's handler reports it and skips the instruction.",
        check: {
          all: [{ event: { kind: 'interrupt', vector: 13, cause: 'exception' } }, { console: { contains: 'kernel: #GP at 0x00000488' } }],
        },
      },
      {
        text: 'At the end the Registers panel shows the real CPU, not a virtual one: CPL 0 (the kernel powered the machine off), paging on (CR0 = 0x80000000, CR3 = 0x3000) and the IDTR the kernel loaded.',
        check: { all: [{ cpu: { CPL: 0, CR0: 0x80000000, CR3: 0x3000, IDTR: { min: 1 } } }, { state: 'powered-off', exitCode: 0 }] },
      },
    ],
  },
  {
    id: 'tae-basics',
    title: 'Trap-and-emulate: a tiny OS in a VM',
    topics: ['trap-and-emulate', 'privileged instructions', 'system calls'],
    program: 'user-syscalls',
    settings: { technique: 'trap-and-emulate', preset: '2006' },
    notes:
      'The guest kernel runs at **real CPL 3**. Every privileged instruction it executes (LIDT, MOV KSP, IRET, OUT) faults into the hypervisor, which emulates it on the vCPU. The guest never notices: it ends in exactly the state bare metal would.',
    lookFor: [
      {
        text: "Step to event: the very first `trap` is a hidden page fault (the shadow page table filling in, followed by its `hidden-fault`); the first `trap` for #GP is the kernel's LIDT, and the `emulate` after it sets the virtual IDTR.",
        check: {
          all: [
            { first: { kind: 'trap' }, is: { cause: { contains: 'hidden page fault' } } },
            { first: { kind: 'trap', cause: { contains: '#GP' } }, is: { instruction: { contains: 'LIDT' } } },
            {
              events: [
                { kind: 'trap', cause: { contains: '#GP' }, instruction: { contains: 'LIDT' } },
                { kind: 'emulate', instruction: { contains: 'LIDT' }, effect: { contains: 'IDTR' } },
              ],
            },
          ],
        },
      },
      {
        text: 'The IRET into user mode traps too: the hypervisor pops the frame into the vCPU (virtual CPL 3).',
        check: {
          events: [
            { kind: 'trap', instruction: 'IRET' },
            { kind: 'emulate', instruction: 'IRET' },
          ],
        },
      },
      {
        text: 'Each INT 0x80 from user mode is a `trap` then a `reflect` into the guest kernel.',
        check: {
          events: [
            { kind: 'trap', instruction: 'INT 128' },
            { kind: 'reflect', vector: 128 },
          ],
        },
      },
      {
        text: 'Each `trap` event shows both privilege levels: virtual CPL 0 (the guest kernel) while the real CPL stays 3.',
        check: { event: { kind: 'trap', realCpl: 3, virtualCpl: 0 } },
      },
      { text: 'It ends exactly as on bare metal (open Compare: the `native` row is bare metal).', check: { bareMetal: 'same' } },
    ],
  },
  {
    id: 'popf-problem',
    title: 'The POPF problem (and how System/370 avoids it)',
    topics: ['Popek–Goldberg', 'POPF', 'fidelity', 'classic vs strict'],
    program: 'popf-problem',
    settings: { technique: 'trap-and-emulate', isa: 'classic', preset: '2006' },
    notes:
      'On the 386, POPF at CPL > 0 silently keeps IF instead of faulting. Under trap-and-emulate the guest kernel runs at CPL 3, so its `CLI … POPF` critical sections do not restore interrupts the way it believes. PUSHF is just as bad: it pushes the real IF.',
    lookFor: [
      {
        text: 'Run on `classic`: the Events panel shows `fidelity-violation` events (POPF keeps the real IF, PUSHF pushes it), and the console disagrees with bare metal (to see bare metal, open Compare — its `native` row — or set the technique to native and run again).',
        check: {
          all: [
            { event: { kind: 'fidelity-violation', instruction: { contains: 'POPF' } } },
            { event: { kind: 'fidelity-violation', instruction: { contains: 'PUSHF' } } },
            { bareMetal: 'different' },
          ],
        },
      },
      {
        text: 'Switch the instruction set to `strict` (System/370): PUSHF and POPF trap and are emulated, and the output matches bare metal.',
        check: {
          all: [
            {
              events: [
                { kind: 'trap', instruction: { contains: 'PUSHF' }, cause: { contains: '#GP' } },
                { kind: 'emulate', instruction: { contains: 'PUSHF' } },
              ],
            },
            {
              events: [
                { kind: 'trap', instruction: { contains: 'POPF' }, cause: { contains: '#GP' } },
                { kind: 'emulate', instruction: { contains: 'POPF' } },
              ],
            },
            { none: { kind: 'fidelity-violation' } },
            { bareMetal: 'same' },
          ],
        },
        settings: { isa: 'strict' },
      },
      {
        text: 'Switch the technique to binary translation: POPF becomes an inline vCPU update, and fidelity holds on `classic` too.',
        check: {
          all: [
            { event: { kind: 'translate', code: { some: { original: { contains: 'POPF' }, kind: 'inline' } } } },
            { none: { kind: 'fidelity-violation' } },
            { bareMetal: 'same' },
          ],
        },
        settings: { technique: 'binary-translation' },
      },
    ],
  },
  {
    id: 'red-pill',
    title: 'The Red Pill: SIDT from user mode',
    topics: ['Popek–Goldberg', 'theorem 3', 'SIDT', 'detection'],
    program: 'red-pill',
    settings: { technique: 'binary-translation', isa: 'classic', preset: '2006' },
    notes:
      "SIDT is user-sensitive and unprivileged on the 386. Guest user code runs directly under trap-and-emulate and binary translation, so SIDT returns the real IDTR: the hypervisor's table at 0xFC000000. Joanna Rutkowska's Red Pill (2004) detected VMware exactly this way.",
    lookFor: [
      {
        text: 'Run it: the program reports that a hypervisor is watching (SIDT returned 0xFC000000), and the `fidelity-violation` event names SIDT.',
        check: {
          all: [
            { console: { contains: 'a hypervisor is watching' } },
            { event: { kind: 'fidelity-violation', instruction: { contains: 'SIDT' } } },
          ],
        },
      },
      {
        text: 'Switch to hardware-assisted: the guest reads its own IDTR from the VMCS, and the pill sees nothing.',
        check: { all: [{ console: { not: { contains: 'hypervisor is watching' } } }, { bareMetal: 'same' }] },
        settings: { technique: 'hardware-assisted' },
      },
      {
        text: 'Switch to `strict`: SIDT is privileged, traps, and the pill cannot even run.',
        check: { all: [{ console: { contains: 'SIDT is privileged' } }, { bareMetal: 'same' }] },
        settings: { isa: 'strict' },
      },
    ],
  },
  {
    id: 'am-i-in-a-vm',
    title: 'Am I in a VM? CPUID and SIDT from the kernel and from user mode',
    topics: ['detection', 'CPUID', 'SIDT', 'Popek–Goldberg', 'theorem 3', 'VT-x', 'AMD-V'],
    program: 'am-i-in-a-vm',
    settings: { technique: 'trap-and-emulate', isa: 'classic', preset: '2006' },
    notes:
      "A guest can ask whether it runs in a VM. CPUID's feature word has a hypervisor-present bit (bit 31) that a hypervisor which intercepts CPUID sets for its VMs (KVM's `kvm_emulate_cpuid` answers from the CPUID table the VMM gave it with KVM_SET_CPUID2, where QEMU and kvmtool set the bit); SIDT shows where the IDT is, and a hypervisor that runs guest code directly keeps the real IDT on its own table at 0xFC000000. The kernel asks both, then user mode asks again. Whether the answer is the truth depends on who runs the instruction: the real CPU (directly executed: the real feature word, the real IDTR) or the hypervisor (trapped, translated, intercepted or interpreted: the virtual CPU's answer). CPUID and SIDT are sensitive but unprivileged on `classic`, and user-sensitive: they break both of Popek and Goldberg's conditions. Paravirtualization cannot run this unmodified kernel (its LIDT faults at CPL 1: see the unmodified-kernel scenario).",
    lookFor: [
      {
        text: "Trap-and-emulate on `classic`: nothing traps. The kernel's CPUID and SIDT run directly at real CPL 3 like user mode's, so all four see the real CPU: no hypervisor bit, and the hypervisor's IDT at 0xFC000000. Each is a `fidelity-violation` (expected against actual).",
        check: {
          all: [
            { count: { kind: 'fidelity-violation', instruction: 'CPUID' }, min: 2, max: 2 },
            { count: { kind: 'fidelity-violation', instruction: { contains: 'SIDT' }, actual: '0xFC000000' }, min: 2, max: 2 },
            { none: { kind: 'trap', instruction: { oneOf: ['CPUID', 'SIDT R1'] } } },
            { console: { contains: 'kernel: CPUID says no hypervisor' } },
            { console: { contains: "user: SIDT finds another IDT (a hypervisor's)" } },
          ],
        },
      },
      {
        text: "Switch to `strict`: the kernel's CPUID and SIDT trap (#GP at real CPL 3) and are emulated on the vCPU, whose CPUID sets the hypervisor-present bit; in user mode both raise #GP in the guest, as on a strict bare machine. No fidelity violation.",
        settings: { isa: 'strict' },
        check: {
          all: [
            {
              events: [
                { kind: 'trap', instruction: 'CPUID', cause: { contains: '#GP' }, virtualCpl: 0 },
                { kind: 'emulate', instruction: 'CPUID', effect: { contains: 'hypervisor present' } },
                { kind: 'trap', instruction: 'SIDT R1', cause: { contains: '#GP' }, virtualCpl: 0 },
                { kind: 'emulate', instruction: 'SIDT R1', effect: { contains: 'virtual IDTR' } },
                { kind: 'trap', instruction: 'CPUID', virtualCpl: 3, action: { contains: 'reflect vector 13' } },
              ],
            },
            { none: { kind: 'fidelity-violation' } },
            { console: { contains: 'user: #GP: a privileged instruction\nuser: #GP: a privileged instruction\n' } },
          ],
        },
      },
      {
        text: "Binary translation: the kernel's CPUID and SIDT become callouts in its translated blocks (the hypervisor answers from the vCPU), but user code runs directly, and its CPUID and SIDT still see the real CPU: two `fidelity-violation` events. This is theorem 3 failing.",
        settings: { technique: 'binary-translation' },
        check: {
          all: [
            { event: { kind: 'translate', code: { some: { original: 'CPUID', kind: 'callout' } } } },
            { event: { kind: 'translate', code: { some: { original: { contains: 'SIDT' }, kind: 'callout' } } } },
            { count: { kind: 'fidelity-violation' }, min: 2, max: 2 },
            { console: { contains: 'kernel: CPUID says a hypervisor is present' } },
            { console: { contains: 'user: CPUID says no hypervisor' } },
          ],
        },
      },
      {
        text: "Hardware-assisted (Intel VT-x): every CPUID, from the kernel or from user mode, is a `vm-exit` with reason 10 (CPUID), and KVM's `kvm_emulate_cpuid` answers from the CPUID table the VMM gave it (QEMU sets the hypervisor-present bit there). SIDT causes no exit (the others are the console's I/O and shadow paging's page faults): it reads the guest's own IDTR from the VMCS. No fidelity violation: the hypervisor says so on purpose.",
        settings: { technique: 'hardware-assisted' },
        check: {
          all: [
            { count: { kind: 'vm-exit', reason: 10, reasonName: 'CPUID' }, min: 2, max: 2 },
            { none: { kind: 'vm-exit', reasonName: { not: { oneOf: ['CPUID', 'IO_INSTRUCTION', 'EXCEPTION'] } } } },
            { event: { kind: 'emulate', instruction: 'CPUID', effect: { contains: 'hypervisor present' } } },
            { none: { kind: 'fidelity-violation' } },
            { console: { contains: 'user: CPUID says a hypervisor is present' } },
            { console: { contains: "user: SIDT finds the kernel's IDT" } },
          ],
        },
      },
      {
        text: "Set the Vendor to AMD-V: the same exits, in AMD's words: `#VMEXIT` CPUID (code 0x72, SVM_EXIT_CPUID), every entry a VMRUN, the VMCB in place of the VMCS.",
        settings: { technique: 'hardware-assisted', vendor: 'amd' },
        check: {
          all: [
            { count: { kind: 'vm-exit', reason: 0x72, reasonName: 'CPUID' }, min: 2, max: 2 },
            { event: { kind: 'vm-entry', instruction: 'VMRUN' } },
            { none: { kind: 'vm-entry', instruction: { not: 'VMRUN' } } },
            { event: { kind: 'vmx', name: 'VMCB read', field: 'control.EXITCODE', value: 0x72 } },
          ],
        },
      },
      {
        text: "Bare metal (Compare's `native` row, or the technique set to native): CPUID says no hypervisor and SIDT finds the kernel's own IDT, from both modes.",
        settings: { technique: 'native' },
        check: {
          all: [
            {
              console:
                "kernel: CPUID says no hypervisor\nkernel: SIDT finds its own IDT\nuser: CPUID says no hypervisor\nuser: SIDT finds the kernel's IDT\n",
            },
            { none: { kind: 'fidelity-violation' } },
          ],
        },
      },
      {
        text: "Interpretation: the interpreter runs every instruction on the virtual CPU, so both modes get the virtual CPU's answers: VirtLab's interpreter sets the hypervisor-present bit, as a hypervisor that answers CPUID does (a real emulator such as Bochs reports whatever CPU model it is configured to be), and SIDT finds the guest's own IDT. Nothing traps and nothing exits.",
        settings: { technique: 'interpret' },
        check: {
          all: [
            { console: { contains: 'user: CPUID says a hypervisor is present' } },
            { console: { contains: "user: SIDT finds the kernel's IDT" } },
            { none: { kind: { oneOf: ['trap', 'vm-exit', 'fidelity-violation'] } } },
          ],
        },
      },
    ],
  },
  {
    id: 'smsw-kernel',
    title: 'SMSW in the kernel',
    topics: ['sensitive instructions', 'SMSW', 'fidelity'],
    program: 'smsw-kernel',
    settings: { technique: 'trap-and-emulate', isa: 'classic', preset: '2006' },
    notes:
      'SMSW reveals the current privilege level and CR0.PG. Under trap-and-emulate the kernel asks it at real CPL 3, with the real (shadow) paging on.',
    lookFor: [
      {
        text: 'The console shows CPL 3 and paging on, where bare metal says CPL 0 and paging off (open Compare, or set the technique to native, to see bare metal).',
        check: { all: [{ console: { contains: 'CPL 3, paging on' } }, { bareMetal: 'different' }] },
      },
      {
        text: 'Find the `fidelity-violation` events: expected and actual values side by side.',
        check: { event: { kind: 'fidelity-violation', instruction: { contains: 'SMSW' } } },
      },
      {
        text: 'Try binary translation: SMSW becomes a callout that answers from the vCPU, and the console matches bare metal.',
        check: {
          all: [
            { event: { kind: 'translate', code: { some: { original: { contains: 'SMSW' }, kind: 'callout' } } } },
            { none: { kind: 'fidelity-violation' } },
            { bareMetal: 'same' },
          ],
        },
        settings: { technique: 'binary-translation' },
      },
    ],
  },
  {
    id: 'syscall-each',
    title: 'A system call under each technique',
    topics: ['system calls', 'compare', 'VT-x', 'binary translation'],
    program: 'syscall-loop',
    settings: { technique: 'trap-and-emulate', preset: '2006' },
    notes:
      'The same 200 system calls, run several ways. Trap-and-emulate and binary translation trap on every INT and on every IRET; VT-x delivers them inside the guest without any exit. Paravirtualization needs a kernel that makes hypercalls: this unmodified one is not comparable there (Compare says so).',
    lookFor: [
      {
        text: 'Under trap-and-emulate: `trap` → `reflect` → guest kernel → `trap` (IRET) → `emulate`, 200 times.',
        check: {
          all: [
            {
              events: [
                { kind: 'trap', instruction: 'INT 128' },
                { kind: 'reflect', vector: 128 },
                { kind: 'trap', instruction: 'IRET' },
                { kind: 'emulate', instruction: 'IRET' },
              ],
            },
            { count: { kind: 'reflect', vector: 128 }, min: 200 },
          ],
        },
      },
      {
        text: "Switch to hardware-assisted: no VM exit at all for the system calls — the exits are the console's I/O and, with the 2006 shadow paging, `EXCEPTION` exits for hidden page faults (#PF), never for INT 0x80 or IRET.",
        check: {
          all: [
            { none: { kind: 'vm-exit', reasonName: { not: { oneOf: ['IO_INSTRUCTION', 'EPT_VIOLATION', 'HLT', 'EXCEPTION'] } } } },
            { none: { kind: 'vm-exit', reasonName: 'EXCEPTION', qualification: { not: { contains: '#PF' } } } },
            { count: { kind: 'interrupt', vector: 128 }, min: 200 },
          ],
        },
        settings: { technique: 'hardware-assisted' },
      },
      {
        text: "Open Compare: the `trap` category dominates trap-and-emulate; hardware-assisted and binary translation are both cheaper. With the 2006 costs VT-x's `vm-exit` cycles here are the console's I/O exits, not system calls, so which of the two wins depends on the I/O (costs.md).",
        check: {
          all: [
            { largestCategory: 'trap' },
            { cheaper: ['hardware-assisted', 'trap-and-emulate'] },
            { cheaper: ['binary-translation', 'trap-and-emulate'] },
          ],
        },
      },
    ],
  },
  {
    id: 'bt-cache',
    title: 'Binary translation: a kernel block and its cache',
    topics: ['binary translation', 'translation cache', 'callouts'],
    program: 'sensitive-kernel',
    settings: { technique: 'binary-translation', isa: 'classic', preset: '2006' },
    notes:
      'VMware translated guest-kernel code one basic block at a time. Harmless instructions are kept; CLI, STI, PUSHF and POPF become inline updates of the vCPU; other sensitive instructions become callouts into the hypervisor — no trap at all.',
    lookFor: [
      {
        text: 'Each `translate` event lists its block: every guest instruction and what it became (kept, inline, callout, device).',
        check: {
          all: [
            { event: { kind: 'translate', code: { some: { original: { contains: 'PUSHF' }, kind: 'inline' } } } },
            { event: { kind: 'translate', code: { some: { kind: 'kept' } } } },
          ],
        },
      },
      {
        text: 'The translation-cache inspector shows original and translated blocks side by side; each `tc-hit` is a block run again from the cache without translating it.',
        check: { event: { kind: 'tc-hit' } },
      },
      {
        text: 'Notice there is no `fidelity-violation`: PUSHF/POPF/SMSW/SIDT in the kernel behave as on bare metal.',
        check: { all: [{ none: { kind: 'fidelity-violation' } }, { bareMetal: 'same' }] },
      },
    ],
  },
  {
    id: 'vtx-exits',
    title: 'VT-x exits and the exit controls',
    topics: ['hardware-assisted', 'VMCS', 'exit controls'],
    program: 'vtx-exits',
    settings: { technique: 'hardware-assisted', preset: 'modern' },
    notes:
      'With VT-x the guest runs on virtual state in the VMCS. Only what the exit controls select leaves the guest; each VM exit costs a round trip through the hypervisor. This program does 100 rounds of IN, OUT and MOV to CR3.',
    lookFor: [
      {
        text: "Every IN and OUT is an `IO_INSTRUCTION` exit (reason 30): the VMCS inspector shows the qualification, and the `vmx` events the handler's VMREADs.",
        check: {
          all: [
            { count: { kind: 'vm-exit', reasonName: 'IO_INSTRUCTION', reason: 30 }, min: 200 },
            { event: { kind: 'vmx', name: 'VMREAD' } },
          ],
        },
      },
      {
        text: 'Turn I/O exiting off in the exit controls: the exits disappear and the guest talks to the device directly.',
        check: { none: { kind: 'vm-exit', reasonName: 'IO_INSTRUCTION' } },
        settings: { exits: { io: false } },
      },
      {
        text: 'With nested paging the MOV to CR3 does not exit; turn CR3-load exiting on: 100 extra `CR_ACCESS` exits, one per load.',
        check: { all: [{ count: { kind: 'vm-exit', reasonName: 'CR_ACCESS' }, min: 100 }] },
        settings: { exits: { cr3: true } },
      },
    ],
  },
  {
    id: 'shadow-vs-ept',
    title: 'Shadow paging against EPT on MMU-heavy work',
    topics: ['memory virtualization', 'shadow page tables', 'EPT', 'forkwait'],
    program: 'mmu-heavy',
    settings: { technique: 'hardware-assisted', preset: 'modern', hypervisor: { paging: 'shadow' } },
    notes:
      'A fork/wait loop with real work between forks builds page tables, switches CR3 and takes page faults. With shadow paging every one of those is work for the hypervisor (hidden faults, write-protected page tables, CR3 exits); with EPT the hardware walks two tables and the hypervisor hardly appears.',
    lookFor: [
      {
        text: 'Shadow paging: `hidden-fault`, `shadow-update` and `EXCEPTION` exits for page-table writes.',
        check: {
          all: [
            { event: { kind: 'hidden-fault' } },
            { event: { kind: 'shadow-update' } },
            { event: { kind: 'vm-exit', reasonName: 'EXCEPTION' } },
          ],
        },
      },
      {
        text: 'Switch paging to nested: only a few `EPT_VIOLATION` exits as frames are first touched, and no hidden faults.',
        check: { all: [{ event: { kind: 'vm-exit', reasonName: 'EPT_VIOLATION' } }, { none: { kind: 'hidden-fault' } }] },
        settings: { paging: 'nested' },
      },
      {
        text: "Compare the two runs' totals in the Costs panel: nested paging is cheaper (VMware measured up to 48% gains).",
        check: { cheaper: [{ paging: 'nested' }, { paging: 'shadow' }] },
      },
    ],
  },
  {
    id: 'xen-pv',
    title: 'A Xen paravirtualized kernel and its hypercalls',
    topics: ['paravirtualization', 'hypercalls', 'Xen'],
    program: 'pv-user-syscalls',
    settings: { technique: 'paravirtualization', preset: 'modern' },
    notes:
      "The kernel was modified to call Xen instead of executing privileged instructions, with Xen's own hypercalls: set_trap_table (0) instead of LIDT, stack_switch (3) instead of MOV KSP, iret (23) instead of IRET, console_io (18) and sched_op (29). INT 0x80, registered as a trap gate, reaches the guest kernel directly (x86_32 Xen's int80_direct_trap); the user's CLI is a #GP that Xen bounces into the kernel.",
    lookFor: [
      {
        text: 'Each `hypercall` event names the call, its number, its arguments and its result (0 or a negative Xen errno).',
        check: {
          events: [
            { kind: 'hypercall', name: 'set_trap_table' },
            { kind: 'hypercall', name: 'stack_switch' },
          ],
        },
      },
      { text: "The hypercall table counts calls by Xen's names.", check: { counter: 'hypercallsByName.console_io', min: 1 } },
      {
        text: 'The system calls (INT 0x80) make no trap: only the CLI traps, and is bounced to the #GP handler.',
        check: { count: { kind: 'trap' }, max: 1 },
      },
      {
        text: 'Run it natively: it crashes at its first VMCALL (#UD) — the price of paravirtualization.',
        check: { state: 'crashed' },
        settings: { technique: 'native' },
      },
    ],
  },
  {
    id: 'pv-unmodified',
    title: 'An unmodified kernel under paravirtualization',
    topics: ['paravirtualization', 'ring compression', 'POPF'],
    program: 'user-syscalls',
    settings: { technique: 'paravirtualization', preset: 'modern' },
    notes:
      "Xen runs the guest kernel at CPL 1. An unmodified kernel's first privileged instruction (LIDT) faults there; Xen's emulate_privileged_op does not emulate it, so it is a #GP for the guest, and the guest registered no trap table: Xen crashes the domain.",
    lookFor: [
      {
        text: "The first event is a `trap` for #GP: the kernel's LIDT faulted at real CPL 1.",
        check: { first: { kind: 'trap' }, is: { instruction: { contains: 'LIDT' }, realCpl: 1 } },
      },
      { text: 'No handler is registered for #GP: the domain crashes and stops.', check: { state: 'crashed' } },
      {
        text: 'Not one `hypercall`: compare with the `xen-pv` scenario, where the same OS, modified, makes hypercalls instead.',
        check: { none: { kind: 'hypercall' } },
      },
    ],
  },
  {
    id: 'xen-batching',
    title: 'Why Xen batches: mmu_update and multicall',
    topics: ['paravirtualization', 'hypercalls', 'Xen', 'costs'],
    program: 'pv-batching',
    settings: { technique: 'paravirtualization', preset: '2006' },
    notes:
      'The same eight page-table entries are rewritten three times: with eight update_va_mapping hypercalls, with one mmu_update carrying eight requests, and with one multicall of eight update_va_mapping entries. Every crossing into Xen costs a hypercall round trip; an entry inside a batch costs only its dispatch. Linux queues its PV MMU updates in a multicall buffer for this reason (lazy MMU mode).',
    lookFor: [
      {
        text: 'Round 1: eight `hypercall` events for update_va_mapping, then a flush: nine crossings.',
        check: { count: { kind: 'hypercall', name: 'update_va_mapping' }, min: 8, max: 8 },
      },
      {
        text: 'Round 2: one `mmu_update` hypercall with R2 = 8 requests.',
        check: { count: { kind: 'hypercall', name: 'mmu_update' }, min: 1, max: 1 },
      },
      {
        text: 'Round 3: one `multicall`; the hypercall table still counts its eight update_va_mapping entries.',
        check: {
          all: [
            { count: { kind: 'hypercall', name: 'multicall' }, min: 1, max: 1 },
            { counter: 'hypercallsByName.update_va_mapping', min: 16, max: 16 },
          ],
        },
      },
      {
        text: 'The Costs panel: the hypercall category is paid per crossing, plus a small multicallEntry charge per entry.',
        check: { counter: 'hypercalls', min: 11 },
      },
    ],
  },
  {
    id: 'xen-masked-event',
    title: 'An event channel against a masked vCPU',
    topics: ['paravirtualization', 'event channels', 'Xen', 'interrupts'],
    program: 'pv-masked-event',
    settings: { technique: 'paravirtualization', preset: 'modern' },
    notes:
      "A PV kernel's interrupt flag is evtchn_upcall_mask in its vcpu_info: CLI and STI are plain stores. The timer is VIRQ_TIMER on an event channel. It fires while the vCPU is masked: Xen marks it pending in vcpu_info and shared_info, and makes no upcall. When the kernel unmasks, it sees evtchn_upcall_pending and makes a hypercall (Linux's xen_force_evtchn_callback); the upcall comes on the way back.",
    lookFor: [
      {
        text: 'A `trap` for the timer interrupt while masked, and no upcall after it until the kernel unmasks.',
        check: {
          events: [
            { kind: 'trap', cause: { contains: 'timer' } },
            { kind: 'hypercall', name: 'xen_version' },
          ],
        },
      },
      {
        text: 'The `xen_version` hypercall after the unmasking store, then an `inject` event: the upcall.',
        check: { events: [{ kind: 'hypercall', name: 'xen_version' }, { kind: 'inject' }] },
      },
      {
        text: 'No hypercall for the masking stores: CLI and STI cost what a store costs.',
        check: { counter: 'hypercallsByName.xen_version', min: 1, max: 1 },
      },
    ],
  },
  {
    id: 'interpretation',
    title: "Interpretation's slowdown",
    topics: ['interpretation', 'Bochs', 'costs'],
    program: 'compute-loop',
    settings: { technique: 'interpret', preset: 'modern' },
    notes:
      'Bochs fetches, decodes and executes every guest instruction in software. Nothing ever traps, because nothing runs on the real CPU — and everything is slow.',
    lookFor: [
      {
        text: 'No trap and no VM exit: there is nothing to trap, since no guest instruction runs on the real CPU.',
        check: { none: { kind: { oneOf: ['trap', 'vm-exit', 'hidden-fault'] } } },
      },
      {
        text: 'The Costs panel: nearly all of the cycles are in the `interpretation` category (40 cycles per guest instruction).',
        check: { largestCategory: 'interpretation' },
      },
      {
        text: "Open Compare: interpretation is about 12 times bare metal (`native`) on this loop. Binary translation comes out slightly *cheaper* than bare metal: its OUTs to the console become calls to the device model, cheaper than real port I/O (Adams & Agesen 2006), and Compare's verdict says so.",
        check: { all: [{ cheaper: ['native', 'interpret'] }, { cheaper: ['binary-translation', 'native'] }] },
      },
    ],
  },
  {
    id: 'two-vms',
    title: 'Two VMs and world switches',
    topics: ['several VMs', 'world switch', 'scheduling'],
    file: 'two-vms',
    settings: { technique: 'hardware-assisted', preset: '2006', hypervisor: { timeSlice: 500 } },
    notes:
      'Two well-behaved VMs share one CPU, round-robin by time slices of guest instructions. Each change of VM is a world switch; without a tagged TLB (2006) it also empties the TLB.',
    lookFor: [
      {
        text: 'The Machine panel lights the VM that runs; every `world-switch` moves between them.',
        check: {
          events: [
            { kind: 'world-switch', from: 'vm1', to: 'vm2' },
            { kind: 'world-switch', from: 'vm2', to: 'vm1' },
          ],
        },
      },
      {
        text: 'Without VPID (2006) each world switch is followed by a `tlb-flush`.',
        check: { events: [{ kind: 'world-switch' }, { kind: 'tlb-flush', why: { contains: 'world switch' } }] },
      },
      {
        text: 'Change the preset to `modern`: the flushes disappear.',
        check: { all: [{ event: { kind: 'world-switch' } }, { none: { kind: 'tlb-flush' } }] },
        settings: { preset: 'modern' },
      },
      {
        text: 'Both VMs finish: each prints its count and powers off.',
        check: {
          all: [
            { state: 'powered-off', vm: 0, exitCode: 0 },
            { state: 'powered-off', vm: 1, exitCode: 0 },
            { console: { contains: 'vm2 counted to 1500' }, vm: 1 },
          ],
        },
      },
    ],
  },
  {
    id: 'crashing-vm',
    title: 'A crashing VM leaves its neighbour running',
    topics: ['several VMs', 'isolation', 'triple fault'],
    file: 'two-vms-one-crashes',
    settings: {},
    notes:
      'vm2 divides by zero without an IDT: its #DE cannot be delivered and it triple-faults. The hypervisor stops that VM alone; vm1 keeps its time slices and finishes.',
    lookFor: [
      {
        text: 'Find the `vm-state` event where vm2 becomes `crashed` (and its `TRIPLE_FAULT` exit).',
        check: {
          all: [
            {
              events: [
                { kind: 'vm-exit', reasonName: 'TRIPLE_FAULT', vm: 1 },
                { kind: 'vm-state', vm: 1, state: 'crashed' },
              ],
            },
            { state: 'crashed', vm: 1 },
          ],
        },
      },
      {
        text: 'After it, one last `world-switch` back to vm1, then no more: vm1 runs alone.',
        check: {
          all: [
            {
              events: [
                { kind: 'vm-state', vm: 1, state: 'crashed' },
                { kind: 'world-switch', from: 'vm2', to: 'vm1' },
              ],
            },
            { none: { kind: 'world-switch', from: 'vm1' }, after: { kind: 'vm-state', vm: 1, state: 'crashed' } },
          ],
        },
      },
      {
        text: "vm1's console and exit code are what it prints on its own.",
        check: {
          all: [
            { state: 'powered-off', vm: 0, exitCode: 0 },
            { console: 'vm1 counted to 2000\n', vm: 0 },
          ],
        },
      },
    ],
  },
  {
    id: 'type2',
    title: 'Type 1 against type 2',
    topics: ['hosted hypervisor', 'world switch', 'VMware Workstation'],
    program: 'io-port',
    settings: { technique: 'trap-and-emulate', preset: '2006', hypervisor: { type: 2 } },
    notes:
      "A type 2 hypervisor is a process of a host OS (VMware Workstation's hosted architecture): every I/O exit and host timer interrupt goes through the host OS and back, a world switch each way.",
    lookFor: [
      {
        text: 'Each I/O trap is followed by two `world-switch` events: to the host OS and back.',
        check: {
          events: [
            { kind: 'trap', instruction: { contains: 'IN ' }, cause: { contains: '#GP' } },
            { kind: 'world-switch' },
            { kind: 'world-switch' },
          ],
        },
      },
      {
        text: 'The Machine panel shows the host OS layer under the hypervisor; the `world-switch` events name it.',
        check: { event: { kind: 'world-switch', to: { contains: 'host' } } },
      },
      {
        text: 'Switch `hypervisor.type` to 1: no world switch at all, and the world-switch category is gone from the costs.',
        check: { all: [{ none: { kind: 'world-switch' } }, { counter: 'worldSwitches', max: 0 }] },
        settings: { type: 1 },
      },
    ],
  },
  {
    id: 'popek-goldberg',
    title: 'The Popek–Goldberg analysis',
    topics: ['Popek–Goldberg', 'theorem 1', 'theorem 3', 'classic vs strict'],
    program: 'sensitive-kernel',
    settings: { technique: 'trap-and-emulate', isa: 'classic', preset: '2006' },
    notes:
      'Theorem 1: a trap-and-emulate VMM exists iff every sensitive instruction is privileged. On `classic`, PUSHF, POPF, SMSW and SIDT are sensitive but not privileged, so it fails; on `strict` it holds. Theorem 3: a hybrid VMM exists iff every user-sensitive instruction is privileged; SIDT breaks it on `classic`.',
    lookFor: [
      {
        text: 'Open the Popek–Goldberg view (or `virtlab analyze`): the four violators of theorem 1. Run on `classic`: each violator shows up as a `fidelity-violation`.',
        check: {
          all: [
            { event: { kind: 'fidelity-violation', instruction: { contains: 'PUSHF' } } },
            { event: { kind: 'fidelity-violation', instruction: { contains: 'POPF' } } },
            { event: { kind: 'fidelity-violation', instruction: { contains: 'SMSW' } } },
            { event: { kind: 'fidelity-violation', instruction: { contains: 'SIDT' } } },
          ],
        },
      },
      {
        text: 'The console differs from bare metal (open Compare: the `native` row), and the exit code counts the failures.',
        check: { all: [{ bareMetal: 'different' }, { state: 'powered-off', exitCode: 7 }] },
      },
      {
        text: 'Run on `strict`: they trap, are emulated, and fidelity holds.',
        check: {
          all: [
            {
              events: [
                { kind: 'trap', instruction: { contains: 'PUSHF' }, cause: { contains: '#GP' } },
                { kind: 'emulate', instruction: { contains: 'PUSHF' } },
              ],
            },
            { none: { kind: 'fidelity-violation' } },
            { bareMetal: 'same' },
          ],
        },
        settings: { isa: 'strict' },
      },
    ],
  },
  {
    id: 'adams-agesen',
    title: 'Adams & Agesen: software against hardware virtualization',
    topics: ['costs', 'compare', 'binary translation', 'VT-x', 'forkwait'],
    program: 'forkwait',
    settings: { technique: 'binary-translation', preset: '2006', hypervisor: { paging: 'shadow' } },
    notes:
      "Adams and Agesen (ASPLOS 2006) found first-generation VT-x *slower* than VMware's binary translator on forkwait: 106.4 s against 36.9 s (native 6.0 s). Every page-table write and page fault became an expensive VM exit, while the translator handled them with cheap callouts. Paravirtualization needs a modified kernel: this one is not comparable there (Compare says so).",
    lookFor: [
      {
        text: 'Open Compare with the 2006 preset: hardware-assisted > binary translation > native.',
        check: { cheaper: ['native', 'binary-translation', 'hardware-assisted'] },
      },
      {
        text: 'Switch to `modern` with nested paging: hardware assistance wins.',
        check: {
          cheaper: [
            { technique: 'hardware-assisted', preset: 'modern', paging: 'nested' },
            { technique: 'binary-translation', preset: 'modern', paging: 'shadow' },
          ],
        },
      },
      {
        text: "Under binary translation the difference is in the `memory` and `trap` categories: hidden faults and shadow updates. The cost model is calibrated to these magnitudes (the Costs panel's calibration table): its figures are model values, not measurements.",
        check: { all: [{ event: { kind: 'hidden-fault' } }, { event: { kind: 'shadow-update' } }] },
      },
    ],
  },
  {
    id: 'timer-injection',
    title: 'A timer tick while interrupts are off',
    topics: ['interrupts', 'injection', 'interrupt window'],
    program: 'timer-pending',
    settings: { technique: 'hardware-assisted', preset: 'modern' },
    notes:
      'Hardware interrupts reach the hypervisor first. If the guest has interrupts off (vIF = 0), the hypervisor keeps the interrupt pending and asks for an exit as soon as the guest can take it.',
    lookFor: [
      {
        text: 'An `EXTERNAL_INTERRUPT` exit while vIF = 0, then a `vmx` VMWRITE of CPU_BASED_VM_EXEC_CONTROL that arms interrupt-window exiting, and the `vm-entry`.',
        check: {
          events: [
            { kind: 'vm-exit', reasonName: 'EXTERNAL_INTERRUPT' },
            { kind: 'vmx', name: 'VMWRITE', field: 'CPU_BASED_VM_EXEC_CONTROL' },
            { kind: 'vm-entry' },
          ],
        },
      },
      {
        text: "Right after the guest's STI: an `INTERRUPT_WINDOW` exit and the `inject`.",
        check: {
          events: [
            { kind: 'vm-exit', reasonName: 'INTERRUPT_WINDOW' },
            { kind: 'inject', vector: 32 },
          ],
        },
      },
      {
        text: 'Under trap-and-emulate: the STI traps, and the injection follows its emulation.',
        check: { events: [{ kind: 'trap', instruction: 'STI' }, { kind: 'emulate', instruction: 'STI' }, { kind: 'inject' }] },
        settings: { technique: 'trap-and-emulate' },
      },
    ],
  },
  // ---- checkpoint, restore, clone and live migration (issue 15) ----------------------------------------
  {
    id: 'checkpoint-restore',
    title: 'Checkpoint and restore: the VM runs on exactly as the first time',
    topics: ['checkpoint', 'restore', 'determinism'],
    program: 'forkwait',
    settings: { technique: 'binary-translation', preset: '2006', checkpoints: [{ vm: 0, at: 50000, restoreAt: 120000 }] },
    notes:
      "A checkpoint saves the VM's whole state: the vCPU and its virtual state, memory, the timer, and the technique's own state (here the translation cache). At step 120,000 the VM is put back to step 50,000 (as `virsh save` and `virsh restore`, or a VMware snapshot, do) and runs on from there. The guest cannot tell: it ends exactly as the run without a checkpoint. On the command line: `virtlab checkpoint @checkpoint-restore --at 50000 --out vm.ckpt` and `virtlab resume vm.ckpt`.",
    lookFor: [
      {
        text: 'The `checkpoint` event at step 50,000, then the `restore` at step 120,000: the step count goes back.',
        check: { events: [{ kind: 'checkpoint' }, { kind: 'restore' }] },
      },
      {
        text: 'The console and the final registers are those of the plain run (`virtlab run programs/forkwait.s --technique binary-translation --preset 2006`).',
        check: { all: [{ console: 'forkwait: 1000 forks, 2000 page faults, checksum 1501500\n' }, { state: 'powered-off', exitCode: 0 }] },
      },
      {
        text: "Resume the checkpoint under another technique (`virtlab resume vm.ckpt --technique trap-and-emulate`): it is refused, because a technique's own state does not carry over.",
        check: { event: { kind: 'checkpoint' } },
      },
    ],
  },
  {
    id: 'precopy-converges',
    title: 'Live migration by pre-copy: rounds shrink to the writable working set',
    topics: ['live migration', 'pre-copy', 'dirty logging', 'writable working set'],
    program: 'hot-set',
    settings: { technique: 'hardware-assisted', preset: 'modern', migration: { mode: 'pre-copy', at: 0 } },
    notes:
      'Pre-copy (Clark et al., NSDI 2005; Xen, KVM, vMotion) moves the VM from host A to host B while it runs. Round 1 sends all 16 pages; the hypervisor logs the pages the guest dirties (here Intel PML: the CPU logs them, no exit); each later round sends the pages dirtied during the previous one. This guest writes eight cold pages once and two hot pages all the time, so the rounds shrink to the two hot pages, its writable working set. Then the VM pauses for a short stop-and-copy and resumes on host B.',
    lookFor: [
      {
        text: '`migrate-round` events: 16 pages, then fewer, down to the two hot pages.',
        check: {
          events: [
            { kind: 'migrate-round', pages: 16 },
            { kind: 'migrate-round', pages: { max: 9 }, pagesDirtied: { max: 2 } },
            { kind: 'stop-and-copy', pages: { max: 2 } },
          ],
        },
      },
      {
        text: 'The `stop-and-copy` and the `migrate-resume` with its downtime: a small part of the whole migration.',
        check: { events: [{ kind: 'stop-and-copy' }, { kind: 'migrate-resume' }] },
      },
      {
        text: 'Switch to the 2006 preset (shadow paging): each first store to a page is now a #PF exit (`dirty-log` events), charged in the Costs panel.',
        check: { event: { kind: 'dirty-log' } },
        settings: { preset: '2006' },
      },
    ],
  },
  {
    id: 'precopy-never-converges',
    title: 'A guest that dirties memory faster than the link: pre-copy never converges, auto-converge throttles it',
    topics: ['live migration', 'pre-copy', 'auto-converge', 'convergence'],
    program: 'dirty-fast',
    settings: {
      technique: 'hardware-assisted',
      preset: 'modern',
      migration: { mode: 'pre-copy', at: 1000, autoConverge: true, maxFactor: 30 },
    },
    notes:
      "This guest dirties twelve pages in about 500 instructions; the link needs 12,000 cycles to send them. Without help, pre-copy never converges: Xen stops after it has sent three times the VM's memory and pauses the VM for a long stop-and-copy. QEMU's auto-converge throttles the vCPU instead (20% at first, 10 points more each time the guest keeps dirtying more than half of what was sent) until the dirty pages fit.",
    lookFor: [
      {
        text: 'The rounds stay at 12 pages while the throttle rises; then they shrink and the migration converges.',
        check: {
          events: [
            { kind: 'migrate-round', pages: { min: 12 } },
            { kind: 'migrate-round', pages: { min: 12 } },
            { kind: 'migrate-round', pages: { max: 6 } },
            { kind: 'migrate-resume' },
          ],
        },
      },
      {
        text: "Many rounds pass before it converges; set `autoConverge` to false in the scenario's `migration` and it stops on Xen's rule (3× the memory sent) without converging.",
        check: { count: { kind: 'migrate-round' }, min: 10 },
      },
      {
        text: 'Compare with post-copy (`virtlab migrate @precopy-never-converges --mode all`).',
        check: { event: { kind: 'stop-and-copy' } },
      },
    ],
  },
  {
    id: 'postcopy-vs-precopy',
    title: 'Post-copy against pre-copy on a write-heavy guest',
    topics: ['live migration', 'post-copy', 'network faults'],
    program: 'dirty-fast',
    settings: { technique: 'hardware-assisted', preset: 'modern', migration: { mode: 'post-copy', at: 1000 } },
    notes:
      "Post-copy (Hines and Gopalan, VEE 2009) sends the CPU state first and resumes the VM on host B at once; the pages follow, pushed in the background, and a page the guest touches before it has arrived is a network fault: the vCPU waits for host A to send it. Each page crosses once, where pre-copy sends a write-heavy guest's pages again and again.",
    lookFor: [
      {
        text: 'A short downtime, then `network-fault` events for the pages the guest touched first.',
        check: { events: [{ kind: 'migrate-resume' }, { kind: 'network-fault' }] },
      },
      {
        text: 'Pages sent: 16, each once. `virtlab migrate @postcopy-vs-precopy --mode all` shows pre-copy sending several times more.',
        check: { count: { kind: 'network-fault' }, max: 16 },
      },
      {
        text: 'The console is the same whichever method moved the VM (and as without a migration).',
        check: { all: [{ console: 'dirtied 7200 times\n' }, { state: 'powered-off' }] },
      },
    ],
  },
  {
    id: 'clone-beside-original',
    title: 'A clone started from a checkpoint, beside its original',
    topics: ['clone', 'checkpoint', 'several VMs'],
    program: 'user-syscalls',
    settings: { technique: 'hardware-assisted', preset: 'modern', checkpoints: [{ vm: 0, at: 200, clone: true }] },
    notes:
      "A clone starts a new VM from a checkpoint (a cloud image, or VMware's linked clone): the same state, in frames of its own. From step 200 the original and its clone run side by side, round-robin, and both end exactly as the VM alone would.",
    lookFor: [
      {
        text: 'The `checkpoint` of vm1 at step 200, then the `clone` event: vm1-clone starts there.',
        check: { events: [{ kind: 'checkpoint' }, { kind: 'clone', name: 'vm1-clone' }] },
      },
      {
        text: 'World switches between vm1 and vm1-clone; their consoles are the same.',
        check: { event: { kind: 'world-switch', to: 'vm1-clone' } },
      },
      {
        text: "The Machine panel: the clone's P2M maps its guest frames to host frames of its own.",
        check: { event: { kind: 'clone' } },
      },
    ],
  },
];

function build(spec: Spec): LibraryEntry {
  const base: Record<string, unknown> = spec.file
    ? { ...(SCENARIO_FILES[spec.file] as Record<string, unknown>) }
    : { vms: [{ name: 'vm1', source: PROGRAM_SOURCES[spec.program ?? ''] ?? '' }] };
  const hypervisor = { ...((base.hypervisor as object) ?? {}), ...((spec.settings.hypervisor as object) ?? {}) };
  const notes = `${spec.notes}\n\n**What to look for**\n\n${spec.lookFor.map((s, i) => `${i + 1}. ${s.text}`).join('\n')}\n`;
  return {
    id: spec.id,
    title: spec.title,
    topics: spec.topics,
    notes: spec.notes,
    lookFor: spec.lookFor.map((s) => s.text),
    steps: spec.lookFor,
    scenario: {
      format: 'virtlab-scenario',
      version: 1,
      ...base,
      ...spec.settings,
      hypervisor,
      title: spec.title,
      notes,
      lookFor: spec.lookFor,
    },
  };
}

export const LIBRARY: readonly LibraryEntry[] = SPECS.map(build);

export function libraryEntry(id: string): LibraryEntry | undefined {
  return LIBRARY.find((e) => e.id === id);
}

/** The validated scenario of a library entry (the library is tested, so this cannot fail). */
export function libraryScenario(id: string): Scenario | undefined {
  const e = libraryEntry(id);
  if (!e) return undefined;
  const r = validateScenario(e.scenario);
  return r.ok ? r.scenario : undefined;
}
