// Snapshots of a whole machine, cheap enough to take every few thousand instructions: memory is kept
// in 1 KiB chunks and a snapshot copies only the chunks written since the previous one (the others are
// shared, immutable, with it). Restoring copies back only the chunks that differ.
import { CHUNK, type Machine } from './machine';

const SCALARS = [
  'pc',
  'flags',
  'cpl',
  'cr0',
  'cr2',
  'cr3',
  'idtr',
  'ksp',
  'state',
  'crashReason',
  'exitCode',
  'waiting',
  'stiShadow',
  'ticks',
  'timerPeriod',
  'timerNext',
  'irqPending',
  'tlbNext',
  'retired',
  'interrupts',
  'exceptions',
  'ioCount',
  'tlbMisses',
] as const satisfies readonly (keyof Machine)[];

type Scalars = { [K in (typeof SCALARS)[number]]: Machine[K] };

export interface MachineSnapshot {
  readonly scalars: Readonly<Scalars>;
  readonly console: string;
  readonly consoleDropped: number;
  readonly regs: Int32Array;
  readonly tlbMap: Int32Array;
  readonly tlbSlots: Int32Array;
  /** The pages the host write-protects (its page-table shadowing state lives with the machine). */
  readonly watch: Uint8Array;
  readonly meter: Readonly<Record<string, number>>;
  /** Memory in 1 KiB chunks; chunks are never written after being captured, so snapshots share them. */
  readonly chunks: readonly Uint8Array[];
}

export function snapshot(m: Machine): MachineSnapshot {
  const chunks: Uint8Array[] = [];
  const n = m.mem.length / CHUNK;
  for (let i = 0; i < n; i++) {
    const shared = m.base?.[i];
    chunks.push(!m.dirty[i] && shared ? shared : m.mem.slice(i * CHUNK, (i + 1) * CHUNK));
  }
  m.dirty.fill(0);
  m.base = chunks;
  const scalars = {} as Record<string, unknown>;
  for (const k of SCALARS) scalars[k] = m[k];
  return {
    scalars: scalars as Scalars,
    console: m.console,
    consoleDropped: m.consoleOut.dropped,
    regs: m.r.slice(),
    tlbMap: m.tlbMap.slice(),
    tlbSlots: m.tlbSlots.slice(),
    watch: m.watch.slice(),
    meter: { ...m.meter.counts },
    chunks,
  };
}

export function restore(m: Machine, s: MachineSnapshot): void {
  const n = s.chunks.length;
  for (let i = 0; i < n; i++) {
    if (m.dirty[i] || m.base?.[i] !== s.chunks[i]) {
      m.mem.set(s.chunks[i], i * CHUNK);
      // Forget decoded instructions in (and reaching into) the restored chunk.
      m.xop.fill(-1, Math.max(0, i * CHUNK - 7), (i + 1) * CHUNK);
    }
  }
  m.dirty.fill(0);
  m.base = s.chunks;
  const target = m as unknown as Record<string, unknown>;
  for (const k of SCALARS) target[k] = s.scalars[k];
  m.consoleOut.reset(s.console, s.consoleDropped);
  m.r.set(s.regs);
  m.tlbMap.set(s.tlbMap);
  m.tlbSlots.set(s.tlbSlots);
  m.watch.set(s.watch);
  Object.assign(m.meter.counts, s.meter);
}
