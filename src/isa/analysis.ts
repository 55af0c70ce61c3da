// The Popek–Goldberg analysis, computed from the ISA table (isa.md, "Popek–Goldberg classification").
import { ISA, type Sensitivity, type Variant } from './table';

export interface ClassifiedInstruction {
  readonly mnemonic: string;
  readonly privileged: boolean;
  readonly sensitive: readonly Sensitivity[];
  readonly userSensitive: boolean;
}

export interface TheoremResult {
  readonly holds: boolean;
  readonly violators: readonly string[];
}

export interface Analysis {
  readonly isa: Variant;
  readonly instructions: readonly ClassifiedInstruction[];
  /** Theorem 1: a trap-and-emulate VMM exists iff sensitive ⊆ privileged. */
  readonly theorem1: TheoremResult;
  /** Theorem 3: a hybrid VMM exists iff user-sensitive ⊆ privileged. */
  readonly theorem3: TheoremResult;
}

export function analyze(isa: Variant): Analysis {
  const instructions = ISA.map((row) => ({
    mnemonic: row.name.toUpperCase(),
    privileged: row.privileged[isa],
    sensitive: row.sensitive,
    userSensitive: row.userSensitive,
  }));
  const t1 = instructions
    .filter((i) => i.sensitive.length > 0 && !i.privileged)
    .map((i) => i.mnemonic)
    .sort();
  const t3 = instructions
    .filter((i) => i.userSensitive && !i.privileged)
    .map((i) => i.mnemonic)
    .sort();
  return {
    isa,
    instructions,
    theorem1: { holds: t1.length === 0, violators: t1 },
    theorem3: { holds: t3.length === 0, violators: t3 },
  };
}
