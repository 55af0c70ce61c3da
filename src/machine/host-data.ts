// The data a machine hands the host beneath it (host.ts): why the CPU delivers an interrupt, and a
// system instruction about to run. A leaf, so that machine.ts (which declares the Host interface beside
// the Machine that calls it) and host.ts import it without importing each other.

export type DeliveryCause = 'exception' | 'timer' | 'software';

export interface SystemInstruction {
  /** The ISA row name (e.g. `CLI`, `MOV TO CR`). */
  readonly name: string;
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
