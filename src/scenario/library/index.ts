// The built-in scenario library: one lecture topic each, with notes (Markdown, rendered safely), the
// technique and settings to start with, and what to look for. Sources come from programs/, where
// they are tested under every technique.
import { type Scenario, validateScenario } from '../scenario';
import { PROGRAM_SOURCES, SCENARIO_FILES } from './programs.generated';

export interface LibraryEntry {
  readonly id: string;
  readonly title: string;
  readonly topics: readonly string[];
  readonly notes: string;
  /** "What to look for": steps a student follows, in order. */
  readonly lookFor: readonly string[];
  /** The scenario JSON (notes and look-for steps folded into its `notes`). */
  readonly scenario: Record<string, unknown>;
}

interface Spec {
  id: string;
  title: string;
  topics: string[];
  notes: string;
  lookFor: string[];
  program?: string;
  file?: string;
  settings: Record<string, unknown>;
}

const SPECS: Spec[] = [
  {
    id: 'tae-basics',
    title: 'Trap-and-emulate: a tiny OS in a VM',
    topics: ['trap-and-emulate', 'privileged instructions', 'system calls'],
    program: 'user-syscalls',
    settings: { technique: 'trap-and-emulate', preset: '2006' },
    notes:
      'The guest kernel runs at **real CPL 3**. Every privileged instruction it executes (LIDT, MOV KSP, IRET, OUT) faults into the hypervisor, which emulates it on the vCPU. The guest never notices: it ends in exactly the state bare metal would.',
    lookFor: [
      "Step to event: the first `trap` is the kernel's LIDT; the `emulate` that follows sets the virtual IDTR.",
      'The IRET into user mode traps too: the hypervisor pops the frame into the vCPU (virtual CPL 3).',
      'Each INT 0x80 from user mode is a `trap` then a `reflect` into the guest kernel.',
      'Compare the Registers panel: virtual CPL 0 while the real CPL stays 3.',
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
      'Run on `classic`: the console disagrees with bare metal, and the Events panel shows `fidelity-violation` events.',
      'Switch the instruction set to `strict` (System/370): PUSHF and POPF trap and are emulated, and the output matches bare metal.',
      'Switch the technique to binary translation: POPF becomes an inline vCPU update, and fidelity holds on `classic` too.',
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
      'Run it: the program reports that a hypervisor is watching.',
      'Switch to hardware-assisted: the guest reads its own IDTR from the VMCS, and the pill sees nothing.',
      'Switch to `strict`: SIDT is privileged, traps, and the pill cannot even run.',
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
      'The console shows CPL 3 and paging on, where bare metal says CPL 0 and paging off.',
      'Find the `fidelity-violation` events: expected and actual values side by side.',
      'Try binary translation: SMSW becomes a callout that answers from the vCPU.',
    ],
  },
  {
    id: 'syscall-each',
    title: 'A system call under each technique',
    topics: ['system calls', 'compare', 'VT-x', 'binary translation'],
    program: 'syscall-loop',
    settings: { technique: 'trap-and-emulate', preset: '2006' },
    notes:
      'The same 200 system calls, run six ways. Trap-and-emulate and binary translation trap on every INT and on every IRET; VT-x delivers them inside the guest without any exit; paravirtualization (with a trap table) takes the fast path.',
    lookFor: [
      'Under trap-and-emulate: `trap` → `reflect` → guest kernel → `trap` (IRET) → `emulate`, 200 times.',
      'Switch to hardware-assisted: no VM exit at all for the system calls.',
      'Open Compare: the `trap` category dominates trap-and-emulate, and hardware-assisted is cheapest.',
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
      'Each `translate` event lists the block: every guest instruction and what it became.',
      'The translation-cache inspector shows original and translated blocks side by side.',
      'Notice there is no `fidelity-violation`: PUSHF/POPF/SMSW/SIDT in the kernel behave as on bare metal.',
    ],
  },
  {
    id: 'vtx-exits',
    title: 'VT-x exits and the exit controls',
    topics: ['hardware-assisted', 'VMCS', 'exit controls'],
    program: 'io-port',
    settings: { technique: 'hardware-assisted', preset: 'modern' },
    notes:
      'With VT-x the guest runs on virtual state in the VMCS. Only what the exit controls select leaves the guest; each VM exit costs a round trip through the hypervisor.',
    lookFor: [
      'Every IN and OUT is an `IO_INSTRUCTION` exit (reason 30): the VMCS inspector shows the qualification.',
      'Turn I/O exiting off in the exit controls: the exits disappear and the guest talks to the device directly.',
      'Turn CR3-load exiting on (with nested paging): watch the extra `CR_ACCESS` exits.',
    ],
  },
  {
    id: 'shadow-vs-ept',
    title: 'Shadow paging against EPT on a forkwait-like load',
    topics: ['memory virtualization', 'shadow page tables', 'EPT', 'forkwait'],
    program: 'forkwait',
    settings: { technique: 'hardware-assisted', preset: 'modern', hypervisor: { paging: 'shadow' } },
    notes:
      'A fork/wait loop builds page tables, switches CR3 and takes page faults. With shadow paging every one of those is work for the hypervisor (hidden faults, write-protected page tables, CR3 exits); with EPT the hardware walks two tables and the hypervisor hardly appears.',
    lookFor: [
      'Shadow paging: `hidden-fault`, `shadow-update` and `EXCEPTION` exits for page-table writes.',
      'Switch paging to nested: only a few `EPT_VIOLATION` exits as frames are first touched.',
      'Compare the memory and vm-exit categories in the Costs panel (VMware measured up to 48% gains).',
    ],
  },
  {
    id: 'xen-pv',
    title: 'A Xen paravirtualized kernel and its hypercalls',
    topics: ['paravirtualization', 'hypercalls', 'Xen'],
    program: 'pv-user-syscalls',
    settings: { technique: 'paravirtualization', preset: 'modern' },
    notes:
      'The kernel was modified to ask the hypervisor instead of executing privileged instructions: set_trap_table instead of LIDT, stack_switch instead of MOV KSP, iret, console_write, shutdown. System calls registered with set_trap_table reach the guest kernel directly.',
    lookFor: [
      'Each `hypercall` event names the call, its arguments and its result.',
      'The hypercall table counts calls by name.',
      'Run it natively: it crashes at its first VMCALL (#UD) — the price of paravirtualization.',
    ],
  },
  {
    id: 'pv-unmodified',
    title: 'An unmodified kernel under paravirtualization',
    topics: ['paravirtualization', 'ring compression', 'POPF'],
    program: 'user-syscalls',
    settings: { technique: 'paravirtualization', preset: 'modern' },
    notes:
      "Xen runs the guest kernel at CPL 1. An unmodified kernel's first privileged instruction faults there, and #GP is reflected into a kernel that has no IDT yet.",
    lookFor: [
      "The first event is a `trap` for #GP: the kernel's LIDT faulted at real CPL 1.",
      'The reflection fails: the VM triple-faults and stops.',
      'Compare with the `xen-pv` scenario, where the same OS makes hypercalls.',
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
      'Almost no hypervisor events: there is no trap to show.',
      'The Costs panel: the `interpretation` category is 40 cycles per guest instruction.',
      'Compare: interpretation is tens of times slower than native on this loop.',
    ],
  },
  {
    id: 'two-vms',
    title: 'Two VMs and world switches',
    topics: ['several VMs', 'world switch', 'scheduling'],
    file: 'two-vms-one-crashes',
    settings: { technique: 'hardware-assisted', preset: '2006', hypervisor: { timeSlice: 500 } },
    notes:
      'Two VMs share one CPU, round-robin by time slices of guest instructions. Each change of VM is a world switch; without a tagged TLB (2006) it also empties the TLB.',
    lookFor: [
      'The Machine panel lights the VM that runs; every `world-switch` moves between them.',
      'Without VPID (2006) each world switch is followed by a `tlb-flush`.',
      'Change the preset to `modern`: the flushes disappear.',
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
      'Find the `vm-state` event where vm2 becomes `crashed` (and its `TRIPLE_FAULT` exit).',
      'After it, there are no more world switches: vm1 runs alone.',
      "vm1's console and exit code are what it prints on its own.",
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
      'Each I/O trap is followed by two `world-switch` events: to the host OS and back.',
      'The Machine panel shows the host OS layer under the hypervisor.',
      'Switch `hypervisor.type` to 1 and compare the world-switch category of the costs.',
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
      'Open the Popek–Goldberg view (or `virtlab analyze`): the four violators of theorem 1.',
      'Run on `classic`: each violator shows up as a `fidelity-violation`.',
      'Run on `strict`: they trap, are emulated, and fidelity holds.',
    ],
  },
  {
    id: 'adams-agesen',
    title: 'Adams & Agesen: software against hardware virtualization',
    topics: ['costs', 'compare', 'binary translation', 'VT-x', 'forkwait'],
    program: 'forkwait',
    settings: { technique: 'binary-translation', preset: '2006', hypervisor: { paging: 'shadow' } },
    notes:
      "Adams and Agesen (ASPLOS 2006) found first-generation VT-x *slower* than VMware's binary translator on forkwait: 106.4 s against 36.9 s (native 6.0 s). Every page-table write and page fault became an expensive VM exit, while the translator handled them with cheap callouts.",
    lookFor: [
      'Open Compare with the 2006 preset: hardware-assisted > binary translation > native.',
      'Switch to `modern` with nested paging: hardware assistance wins.',
      "The cost model's figures are calibrated on these qualitative results, not measured.",
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
      'An `EXTERNAL_INTERRUPT` exit while vIF = 0, then a `vm-entry` with interrupt-window exiting armed.',
      "Right after the guest's STI: an `INTERRUPT_WINDOW` exit and the `inject`.",
      'Under trap-and-emulate: the STI traps, and the injection follows its emulation.',
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
      'The `checkpoint` event at step 50,000, then the `restore` at step 120,000: the step count goes back.',
      'The console and the final registers are those of the plain run (run it with the checkpoints removed to compare).',
      "Resume the checkpoint under another technique: it is refused, because a technique's own state does not carry over.",
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
      '`migrate-round` events: 16 pages, then fewer, down to the two hot pages.',
      'The `stop-and-copy` and the `migrate-resume` with its downtime: a small part of the whole migration.',
      'Switch to the 2006 preset (shadow paging): each first store to a page is now a #PF exit (`dirty-log` events), charged in the Costs panel.',
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
      'The rounds stay at 12 pages while the throttle rises; then they shrink and the migration converges.',
      "Set `autoConverge` to false: the migration stops on Xen's rule (3× the memory sent) and does not converge.",
      'Compare with post-copy (`virtlab migrate @precopy-never-converges --mode all`).',
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
      'A short downtime, then `network-fault` events for the pages the guest touched first.',
      'Pages sent: 16, each once. `virtlab migrate @postcopy-vs-precopy --mode all` shows pre-copy sending several times more.',
      'The console is the same whichever method moved the VM.',
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
      'The `checkpoint` of vm1 at step 200, then the `clone` event: vm1-clone starts there.',
      'World switches between vm1 and vm1-clone; their consoles are the same.',
      "The Machine panel: the clone's P2M maps its guest frames to host frames of its own.",
    ],
  },
];

function build(spec: Spec): LibraryEntry {
  const base: Record<string, unknown> = spec.file
    ? { ...(SCENARIO_FILES[spec.file] as Record<string, unknown>) }
    : { vms: [{ name: 'vm1', source: PROGRAM_SOURCES[spec.program ?? ''] ?? '' }] };
  const hypervisor = { ...((base.hypervisor as object) ?? {}), ...((spec.settings.hypervisor as object) ?? {}) };
  const notes = `${spec.notes}\n\n**What to look for**\n\n${spec.lookFor.map((s, i) => `${i + 1}. ${s}`).join('\n')}\n`;
  return {
    id: spec.id,
    title: spec.title,
    topics: spec.topics,
    notes: spec.notes,
    lookFor: spec.lookFor,
    scenario: { format: 'virtlab-scenario', version: 1, ...base, ...spec.settings, hypervisor, title: spec.title, notes },
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
