// The Checkpoints panel's list as plain data (pure, tested without a page): each checkpoint's moment, VM,
// the size of what it saved (vCPU, memory pages, devices, the technique's state) and what can be done with
// it now; and the timeline's marks (where checkpoints were taken and restored).
import type { CheckpointSummary } from '../../../protocol/messages';

export interface CheckpointRow {
  readonly index: number;
  /** "Checkpoint 2": the name its buttons carry. */
  readonly name: string;
  readonly moment: string;
  readonly vm: string;
  readonly size: string;
  readonly total: number;
  readonly note: string;
  readonly canRestore: boolean;
  readonly canDownload: boolean;
  readonly canClone: boolean;
  readonly canDelete: boolean;
}

export function kib(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
}

export function checkpointRows(list: readonly CheckpointSummary[], steps: number): CheckpointRow[] {
  return list.map((c, i) => {
    const s = c.sizes;
    const total = s ? s.vcpu + s.memory + s.devices + s.technique : 0;
    const size = s
      ? `vCPU ${kib(s.vcpu)} · memory ${s.memoryPages} pages (${kib(s.memory)} in base64) · devices ${kib(s.devices)} · technique ${kib(s.technique)}`
      : 'not taken yet at this moment of the run';
    const notes: string[] = [];
    if (c.origin === 'file') notes.push('opened from a file');
    if (c.clone) notes.push('cloned into a new VM');
    if (c.restoreAt !== undefined)
      notes.push(`${c.restoreAt <= steps ? 'restored' : 'to be restored'} at step ${c.restoreAt.toLocaleString('en-US')}`);
    if (c.refused) notes.push(`refused: ${c.refused}`);
    return {
      index: c.index,
      name: `Checkpoint ${i + 1}`,
      moment: c.origin === 'file' ? `step ${c.at.toLocaleString('en-US')} of its own run` : `step ${c.at.toLocaleString('en-US')}`,
      vm: c.vmName,
      size,
      total,
      note: notes.join('; '),
      canRestore: c.taken && !c.clone && (c.origin === 'file' || c.at <= steps),
      canDownload: c.taken,
      canClone: c.taken && c.origin === 'scenario' && !c.clone,
      canDelete: c.origin === 'scenario',
    };
  });
}

/** Where the timeline marks checkpoints: the steps they were taken at and restored at (the run's own, not files'). */
export function timelineMarks(list: readonly CheckpointSummary[] | undefined): { taken: number[]; restored: number[] } {
  const taken = new Set<number>();
  const restored = new Set<number>();
  for (const c of list ?? []) {
    if (c.origin === 'scenario') taken.add(c.at);
    if (c.restoreAt !== undefined) restored.add(c.restoreAt);
  }
  return { taken: [...taken].sort((a, b) => a - b), restored: [...restored].sort((a, b) => a - b) };
}
