// Each event in plain language: a one-line summary, why it happened, and what the hypervisor did about
// it. The words are the spec's (trap, VM exit, hypercall, world switch, vIF, shadow page table). One
// exhaustive switch, so a new kind of event does not compile until it is explained.
import type { TechniqueId, TraceEvent } from '../../protocol/messages';

export interface Explanation {
  /** The event's facts in a few words (shown in the list). */
  readonly summary: string;
  /** Why it happened. */
  readonly why: string;
  /** What the hypervisor (or the CPU) did about it. */
  readonly did: string;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase()}`;

/** Which layer runs guest code how: the words for "the guest kernel runs at real ring N". */
export const KERNEL_RING: Readonly<Record<TechniqueId, string>> = {
  native: 'ring 0 (it owns the machine)',
  interpret: 'nowhere: the hypervisor executes every instruction in software',
  'trap-and-emulate': 'real ring 3, deprivileged',
  'binary-translation': 'real ring 1, as translated code',
  'hardware-assisted': 'ring 0 in VMX non-root mode',
  paravirtualization: 'real ring 1, modified to call the hypervisor',
};

/** What each of Xen's hypercalls does (xen/include/public/xen.h names; docs/xen-interface.md). */
const HYPERCALL_DOES: Readonly<Record<string, string>> = {
  set_trap_table: 'copies the guest kernel’s trap table (trap_info entries), as LIDT would',
  mmu_update:
    'validates and writes a batch of page-table entries (refusing frames the VM does not own and writable mappings of page tables)',
  stack_switch: 'sets the kernel stack, as MOV KSP would',
  set_callbacks: 'registers the event upcall entry (where event-channel events are delivered)',
  multicall: 'runs a batch of hypercalls for the price of one crossing',
  update_va_mapping: 'validates and writes the page-table entry of one address, and may flush it',
  set_timer_op: 'arms a one-shot timeout: VIRQ_TIMER arrives as an event when it expires',
  xen_version: 'returns Xen’s version (a PV kernel also calls it to have pending events delivered)',
  console_io: 'writes a buffer to the console, as OUT 0xE9 would byte by byte',
  iret: 'returns from the guest kernel’s handler, as IRET would, and restores the event mask from IF',
  vcpu_op: 'registers the vcpu_info (event mask, pending flags, CR2) with Xen',
  mmuext_op: 'switches page tables, flushes the TLB or one entry (MOV CR3, INVLPG)',
  sched_op: 'yields, blocks until an event (HLT) or shuts the domain down (OUT 0xF4)',
  event_channel_op: 'binds a virtual IRQ (VIRQ_TIMER) to an event channel, sends or unmasks one',
};

export function explain(e: TraceEvent, technique: TechniqueId, vendor: 'intel' | 'amd' = 'intel'): Explanation {
  // On bare metal there is no guest and no VM: the program runs on the machine itself.
  const bare = technique === 'native';
  const who = bare ? 'The program' : 'The guest';
  switch (e.kind) {
    case 'instruction':
      return { summary: `${e.text} at CPL ${e.cpl}`, why: `${who} executed an instruction.`, did: 'Nothing: it ran.' };
    case 'interrupt': {
      const via =
        technique === 'hardware-assisted'
          ? 'The CPU delivered it in non-root mode, through the guest’s own IDT: no VM exit.'
          : technique === 'interpret'
            ? 'The interpreter delivered it on the vCPU, through the guest’s IDT.'
            : 'The CPU delivered it through the IDT, switching to the kernel’s stack.';
      const why =
        e.cause === 'software'
          ? `${bare ? 'User code' : 'Guest code'} executed ${e.name}: a system call into its kernel.`
          : e.cause === 'timer'
            ? 'The timer fired with interrupts enabled.'
            : `An instruction faulted: ${e.name}.`;
      return { summary: `${e.name} (${e.cause}), returns to ${hex(e.returnPc)}`, why, did: via };
    }
    case 'trap':
      return {
        summary: `${e.cause} · ${e.instruction} · real CPL ${e.realCpl}, virtual CPL ${e.virtualCpl}`,
        why: `The guest ran ${e.instruction} at real CPL ${e.realCpl} (it believes it is at CPL ${e.virtualCpl}): ${e.cause}. The CPU left guest code for the hypervisor.`,
        did: `The hypervisor will ${e.action}.`,
      };
    case 'emulate': {
      const callout = e.effect.startsWith('callout');
      return {
        summary: `${e.instruction} → ${e.effect}`,
        why: callout
          ? `The translator replaced ${e.instruction} in the guest kernel’s code with a call into the hypervisor.`
          : `${e.instruction} is privileged: run directly it trapped, so the guest never touched the real CPU’s state.`,
        did: `The hypervisor did on the virtual CPU what the instruction would do: ${e.effect}.`,
      };
    }
    case 'reflect':
      if (technique === 'paravirtualization')
        return {
          summary: `${e.name} (vector ${e.vector}) into the guest kernel`,
          why: `${e.name} belongs to the guest: Xen caught it first (it owns the real IDT) and hands it on.`,
          did: "Xen built a bounce frame on the guest kernel's stack and entered the handler the guest registered with set_trap_table (a #PF's address goes to vcpu_info's arch.cr2).",
        };
      return {
        summary: `${e.name} (vector ${e.vector}) into the guest kernel`,
        why: `${e.name} belongs to the guest: its own kernel must handle it, as on bare metal.`,
        did: 'The hypervisor built the interrupt frame on the guest kernel’s stack and jumped to the handler in the guest’s IDT, switching the virtual CPL to 0.',
      };
    case 'inject':
      if (technique === 'paravirtualization')
        return {
          summary: e.name,
          why: "An event channel (VIRQ_TIMER, or another port) became pending, and the vCPU's evtchn_upcall_mask was 0.",
          did: 'Xen masked events and made an upcall: a bounce frame on the guest kernel stack, entering the callback registered with set_callbacks. Its iret restores the mask.',
        };
      return {
        summary: `virtual ${e.name} (vector ${e.vector})`,
        why:
          e.vector < 32
            ? `${e.name} is the guest’s own exception: the hypervisor intercepted it (the exception bitmap selects it) and hands it back.`
            : 'An interrupt for this VM reached the hypervisor first, and the guest’s virtual IF was 1.',
        did: 'The hypervisor injected it: the guest’s frame is built exactly as the CPU would, so the guest cannot tell.',
      };
    case 'vm-exit':
      // AMD-V in its own words (AMD APM vol. 2, ch. 15): guest mode, intercepts in the VMCB, #VMEXIT codes of svm.h.
      if (vendor === 'amd')
        return {
          summary: `${e.reasonName} (${e.reason}) · ${e.qualification}`,
          why: `The guest ran in SVM guest mode until an intercept the VMCB selects happened: ${e.reasonName} (#VMEXIT code ${hex(e.reason)}).`,
          did: `#VMEXIT saved the guest state in the VMCB's save area and returned to the host after its VMRUN. ${e.handler ? `KVM’s ${e.handler}.` : `The hypervisor handles it: ${e.qualification}.`}`,
        };
      return {
        summary: `${e.reasonName} (${e.reason}) · ${e.qualification}`,
        why: `The guest ran in VMX non-root mode until something the exit controls select happened: ${e.reasonName} (Intel reason ${e.reason}).`,
        did: `The CPU saved the guest state in the VMCS and loaded the hypervisor’s (root mode). ${e.handler ? `KVM’s ${e.handler}.` : `The hypervisor handles it: ${e.qualification}.`}`,
      };
    case 'vm-entry':
      return {
        summary: `back to the guest (${e.instruction ?? 'VMRESUME'})`,
        why: 'The hypervisor finished handling the exit.',
        did:
          vendor === 'amd'
            ? 'VMRUN loaded the guest state from the VMCB and ran it in guest mode.'
            : 'The CPU loaded the guest state from the VMCS and resumed it in non-root mode.',
      };
    case 'vmx':
      return {
        summary: `${e.name}${e.field ? ` ${e.field}` : ''}${['VMREAD', 'VMWRITE', 'VMCB read', 'VMCB write'].includes(e.name) ? ` = 0x${(e.value >>> 0).toString(16).toUpperCase()}` : ''}`,
        why:
          vendor === 'amd'
            ? 'The hypervisor (host mode) works on the VMCB, ordinary memory: it reads what the #VMEXIT reports and writes what the next VMRUN must do.'
            : 'The hypervisor (root mode) works on the VMCS with VMX instructions: it reads what the exit reports and writes what the entry must do.',
        did: e.name === 'VMREAD' ? `It read ${e.field}.` : e.name === 'VMWRITE' ? `It wrote ${e.field}.` : `It executed ${e.name}.`,
      };
    case 'hypercall':
      return {
        summary: `${e.name}(${e.args.map(hex).join(', ')}) → ${e.result}`,
        why: `The paravirtualized guest kernel asked the hypervisor explicitly (VMCALL ${e.number}) instead of running a privileged instruction.`,
        did: `The hypervisor ${HYPERCALL_DOES[e.name] ?? 'does not know this call (-ENOSYS)'}; result ${e.result === 0 ? '0 (success)' : e.result < 0 ? `${e.result} (a Xen errno: refused)` : e.result}.`,
      };
    case 'translate': {
      const replaced = e.replaced === 1 ? '1 sensitive instruction' : `${e.replaced} sensitive instructions`;
      return {
        summary: `block ${hex(e.block)}: ${e.instructions} instructions, ${replaced} replaced`,
        why: 'The guest kernel reached code that is not in the translation cache yet.',
        did: `The translator copied the block, replacing ${replaced} with inline vCPU updates or calls into the hypervisor; the rest runs unchanged.`,
      };
    }
    case 'tc-hit':
      return {
        summary: `block ${hex(e.block)}`,
        why: 'An indirect branch needed the translation of its target.',
        did: 'The translation cache already held it: no translation needed.',
      };
    case 'tc-invalidate':
      return {
        summary: `block ${hex(e.block)}`,
        why: 'The guest wrote into code that had been translated (self-modifying code).',
        did: 'The translator threw the stale translation away; the block is translated again when next reached.',
      };
    case 'world-switch':
      return {
        summary: `${e.from} → ${e.to}`,
        why: e.to.startsWith('host OS')
          ? 'A hosted (type 2) hypervisor cannot drive devices or timers itself: the host OS does.'
          : e.from === 'host OS'
            ? 'The host OS finished the work for the hypervisor.'
            : 'The time slice ran out (or the VM stopped): the next VM gets the CPU.',
        did: 'The whole CPU configuration was saved and the other one loaded (registers, page tables, interrupt table).',
      };
    case 'shadow-update':
      return {
        summary: `page ${e.page}: ${e.detail}`,
        why: 'The guest changed its page table (or switched tables); the hardware walks the hypervisor’s shadow table instead.',
        did: `The hypervisor brought the shadow table in line: ${e.detail}.`,
      };
    case 'ept-update':
      return {
        summary: `guest frame ${e.frame} → host frame ${e.hostFrame}`,
        why: 'Nested paging: the hardware walked the guest’s table, then found no EPT entry for this guest-physical frame (an EPT violation).',
        did: 'The hypervisor mapped the frame in the EPT and resumed the guest, which retried the access; its page table was never touched.',
      };
    case 'hidden-fault':
      return {
        summary: `at ${hex(e.address)}`,
        why: 'The shadow table had no entry for this page yet, although the guest’s own table maps it.',
        did: 'The hypervisor filled the shadow entry from the guest’s page table and resumed the guest, which never saw the fault.',
      };
    case 'tlb-flush':
      return {
        summary: e.scope === 'page' ? `page ${e.page ?? '?'}` : 'all entries',
        why: e.why,
        did: 'The TLB lost those translations: the next accesses walk the page tables again.',
      };
    case 'io':
      return {
        summary: `${e.direction === 'out' ? 'OUT' : 'IN'} port ${hex(e.port)} value ${hex(e.value)}`,
        why: `${who} used an I/O port.`,
        did: technique === 'native' ? 'The device handled it.' : 'The hypervisor’s device model handled it.',
      };
    case 'console':
      return { summary: JSON.stringify(e.text), why: `${who} wrote to the console port.`, did: 'The text appears on the Console.' };
    case 'fidelity-violation':
      return {
        summary: `${e.instruction}: expected ${e.expected}, got ${e.actual}`,
        why: `${e.instruction} is sensitive but not privileged: it ran directly without trapping, and read or kept the real CPU state instead of the guest’s virtual state.`,
        did: `Nothing: the hypervisor never saw it. On bare metal the result would be ${e.expected}; the guest got ${e.actual}. This is the Popek–Goldberg problem.`,
      };
    case 'vm-state':
      return {
        summary: `${e.state}${e.exitCode !== undefined ? `, exit code ${e.exitCode}` : ''}${e.reason ? ` (${e.reason})` : ''}`,
        why:
          e.state === 'crashed'
            ? `The ${bare ? 'machine' : 'VM'} crashed${e.reason ? `: ${e.reason}` : ''}.`
            : `The ${bare ? 'machine' : 'VM'} is now ${e.state}.`,
        // Bare metal has one machine and nothing beside it (native refuses several VMs).
        did:
          e.state === 'running'
            ? 'It runs again.'
            : bare
              ? 'The machine stops: nothing else runs on it.'
              : 'It stops alone; any other VM goes on.',
      };
    case 'checkpoint':
      return { summary: 'VM state saved', why: 'A checkpoint was asked for.', did: 'The vCPU, memory and devices were saved.' };
    case 'restore':
      return { summary: 'VM state restored', why: 'A checkpoint was restored.', did: 'The VM continues exactly as saved.' };
    case 'migrate-round':
      return {
        summary: `round ${e.round}: ${e.pages} pages`,
        why: 'Live migration copies memory while the VM runs.',
        did: 'The pages dirtied since the last round were sent again.',
      };
    case 'clone':
      return {
        summary: `${e.name} cloned from ${e.from}`,
        why: 'A new VM was started from a checkpoint.',
        did: 'Same state, frames of its own.',
      };
    case 'dirty-log':
      return {
        summary: `page ${e.page} logged dirty`,
        why: `A migration logs the pages the guest writes: ${e.how}.`,
        did: 'The page is sent again next round.',
      };
    case 'stop-and-copy':
      return { summary: `stop-and-copy: ${e.pages} pages`, why: e.reason, did: 'The VM paused; the last pages and its CPU state crossed.' };
    case 'migrate-resume':
      return {
        summary: `resumed on ${e.host} after ${e.downtime} cycles`,
        why: 'The migration switched hosts.',
        did: 'The VM runs on the new host.',
      };
    case 'network-fault':
      return {
        summary: `network fault on page ${e.page}`,
        why: 'Post-copy: the page was still on the source host.',
        did: 'The vCPU waited for the page to arrive.',
      };
    default: {
      const never: never = e;
      return { summary: JSON.stringify(never), why: '', did: '' };
    }
  }
}
