// What a machine tells the software beneath it. Natively nothing is beneath (host = null); under a
// hypervisor the technique implements this interface and sees every moment where the real system
// would trap, exit or charge something: the machine stays bare metal and never imports the monitor.
import type { InstructionName } from '../isa/table';
import type { Access, Machine } from './machine';

export type DeliveryCause = 'exception' | 'timer' | 'software';

export interface SystemInstruction {
  /** The ISA row name (e.g. `CLI`, `MOV TO CR`). */
  readonly name: InstructionName;
  /** Fields of the decoded instruction: registers A and B (8 = none), immediate, OUT's port. */
  readonly a: number;
  readonly b: number;
  readonly imm: number;
  readonly port: number;
  /** The source operand's value (register or immediate). */
  readonly src: number;
  /** The source (or target) operand is an immediate, not a register. */
  readonly immediate: boolean;
  /** Base cost in instruction units. */
  readonly units: number;
}

export interface Host {
  /** The time of the whole run (host cycles), so that the machine's own events share one clock. */
  now(): number;
  /**
   * A system instruction (privileged or sensitive, INT, VMCALL) passed the CPU's own privilege check
   * and is about to run. Return true when the host ran it (or raised its fault) itself.
   */
  system(m: Machine, ins: SystemInstruction): boolean;
  /** The CPU delivers vector v into the guest now (the frame is built right after). */
  delivering(m: Machine, vector: number, cause: DeliveryCause, returnPc: number): void;
  /** The timer fired: an external interrupt reached the CPU. */
  timerFired(m: Machine): void;
  /** A TLB miss on a virtual page, about to be filled with `pte` (identity when guest paging is off). */
  tlbMiss(m: Machine, page: number, pte: number, access: Access): void;
  /** A store into a watched guest-physical page (a guest page table under shadow paging). */
  watchedWrite(m: Machine, pa: number, size: number): void;
  /** The machine stopped: halted, powered off or crashed. */
  stateChanged(m: Machine, reason?: string): void;
  /**
   * An instruction at physical address pa was decoded for the first time (binary translation uses
   * this to translate the block it starts). Return true to have the host `observe` every execution.
   */
  decoded?(m: Machine, pa: number, name: InstructionName, immediate: boolean): boolean;
  /** An instruction the host asked to observe is about to run (after the privilege check). */
  observe?(m: Machine, name: InstructionName, ins: SystemInstruction): void;
  /** A store hit decoded code at pa (self-modifying code): its decoded form has been dropped. */
  codeWritten?(m: Machine, pa: number): void;
}
