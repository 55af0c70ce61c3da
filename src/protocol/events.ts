// The event stream of virtualization.md ("What the engine reports"), as data: what the worker streams to
// the page's event list, timeline and animations. Every event carries the VM, the guest PC and the time
// (host cycles of the cost model); the rest depends on its kind.

/** The states of a VM of interfaces.md. */
export type VmState = 'running' | 'halted' | 'powered-off' | 'crashed';

interface EventBase {
  readonly vm: number;
  readonly pc: number;
  readonly time: number;
  /** Guest instructions retired (all VMs) when it happened: its place on the timeline. */
  readonly step?: number;
}

export type TraceEvent = EventBase &
  (
    | { readonly kind: 'instruction'; readonly text: string; readonly cpl: number }
    /** Bare metal (or a guest, inside its own kernel): the CPU delivered an interrupt or exception. */
    | {
        readonly kind: 'interrupt';
        readonly vector: number;
        readonly name: string;
        readonly cause: 'exception' | 'timer' | 'software';
        readonly returnPc: number;
      }
    | {
        readonly kind: 'trap';
        readonly cause: string;
        readonly instruction: string;
        readonly realCpl: number;
        readonly virtualCpl: number;
        readonly action: string;
      }
    | { readonly kind: 'emulate'; readonly instruction: string; readonly effect: string }
    | { readonly kind: 'reflect'; readonly vector: number; readonly name: string }
    | { readonly kind: 'inject'; readonly vector: number; readonly name: string }
    | {
        readonly kind: 'vm-exit';
        readonly reason: number;
        readonly reasonName: string;
        readonly qualification: string;
        /** What KVM's handler for this reason does, named (e.g. `handle_io: …`). */
        readonly handler?: string;
      }
    /** The VM entry: VMLAUNCH the first time, VMRESUME after (VMRUN on AMD-V). */
    | { readonly kind: 'vm-entry'; readonly instruction?: string }
    /** A VMX (or SVM) instruction the hypervisor executed: VMREAD, VMWRITE, VMPTRLD, INVEPT, …, its field and value. */
    | { readonly kind: 'vmx'; readonly name: string; readonly field: string; readonly value: number }
    | {
        readonly kind: 'hypercall';
        readonly number: number;
        readonly name: string;
        readonly args: readonly number[];
        readonly result: number;
      }
    | {
        readonly kind: 'translate';
        readonly block: number;
        readonly instructions: number;
        readonly replaced: number;
        /** Each guest instruction and what it became (kept, inline, callout, device, lookup). */
        readonly code: readonly { readonly original: string; readonly kind: string; readonly becomes: string }[];
      }
    | { readonly kind: 'tc-hit'; readonly block: number }
    | { readonly kind: 'tc-invalidate'; readonly block: number }
    | { readonly kind: 'world-switch'; readonly from: string; readonly to: string }
    | { readonly kind: 'shadow-update'; readonly page: number; readonly detail: string }
    | { readonly kind: 'hidden-fault'; readonly address: number }
    /** Nested paging: an EPT violation made the hypervisor map guest frame `frame` to `hostFrame`. */
    | { readonly kind: 'ept-update'; readonly frame: number; readonly hostFrame: number }
    | { readonly kind: 'tlb-flush'; readonly scope: 'all' | 'page'; readonly page?: number; readonly why: string }
    | { readonly kind: 'io'; readonly port: number; readonly value: number; readonly direction: 'in' | 'out' }
    | { readonly kind: 'console'; readonly text: string }
    | { readonly kind: 'fidelity-violation'; readonly instruction: string; readonly expected: string; readonly actual: string }
    | { readonly kind: 'vm-state'; readonly state: VmState; readonly reason?: string; readonly exitCode?: number }
    | {
        readonly kind: 'checkpoint';
        /** Added with checkpoints (issue 15): which VM's state was saved, and where (host A or host B). */
        readonly name?: string;
        readonly host?: string;
        readonly pages?: number;
      }
    | { readonly kind: 'restore'; readonly name?: string; readonly host?: string }
    /** A new VM started from a checkpoint of `from` (a cloud image): same state, its own frames. */
    | { readonly kind: 'clone'; readonly from: string; readonly name: string }
    | {
        readonly kind: 'migrate-round';
        readonly round: number;
        /** Pages sent in this round (the original field). */
        readonly pages: number;
        readonly pagesSent?: number;
        readonly pagesDirtied?: number;
        readonly cycles?: number;
      }
    /** Migration's dirty logging saw the first store to a logged page: how (write protection, PML, log-dirty). */
    | { readonly kind: 'dirty-log'; readonly page: number; readonly how: string }
    /** Pre-copy's last round, or stop-and-copy alone: the VM paused, the last pages and the CPU state cross. */
    | { readonly kind: 'stop-and-copy'; readonly pages: number; readonly reason: string }
    /** The VM resumed on the destination host after `downtime` host cycles paused. */
    | { readonly kind: 'migrate-resume'; readonly host: string; readonly downtime: number }
    /** Post-copy: the VM on host B touched a page not yet received; it was fetched from host A. */
    | { readonly kind: 'network-fault'; readonly page: number; readonly access: string }
  );

export type EventKind = TraceEvent['kind'];
