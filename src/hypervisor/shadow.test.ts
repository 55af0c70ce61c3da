// Shadow tables cached per guest page table (virtualization.md, "Memory virtualization"; KVM's
// prev_roots / kvm_mmu_get_shadow_page): a CR3 switch back to a table already shadowed reuses its
// shadow, kept coherent through the write protection; the cache is bounded and its evictions are shown.
import { describe, expect, it } from 'vitest';
import { scenarioFromSource } from '../scenario/scenario';
import type { TraceEvent } from '../trace/events';
import { prepare } from './engine';
import type { Monitor } from './monitor';
import { SHADOW_ROOTS } from './shadow';
import type { TechniqueId } from './technique';

/** Identity tables at each address in `tables`; touches pages 8 and 9 under each in turn, `rounds` times. */
function switcher(tables: number[], rounds: number, rewrite = false): string {
  const build = tables
    .map(
      (t, k) => `
  MOV R1, 0
  MOV R2, ${t}
map${k}: MOV R3, R1
  SHL R3, 12
  OR R3, 3
  STORE [R2], R3
  ADD R2, 4
  INC R1
  CMP R1, 16
  JNZ map${k}`,
    )
    .join('\n');
  const visit = tables
    .map(
      (t) => `
  MOV R1, ${t}
  MOV CR3, R1
  LOAD R4, [0x8000]
  STORE [0x9F00], R4${rewrite ? `\n  MOV R3, 0x8003\n  STORE [${t} + 32], R3   ; rewrite page 8's entry (same value): the shadow entry is zapped` : ''}`,
    )
    .join('\n');
  return `
  MOV SP, 0xF000
${build}
  MOV R1, ${tables[0]}
  MOV CR3, R1
  MOV R1, 0x80000000
  MOV CR0, R1
  MOV R6, ${rounds}
round:
${visit}
  DEC R6
  JNZ round
  OUT 0xF4, 0
`;
}

function run(src: string, technique: TechniqueId) {
  const p = prepare(scenarioFromSource(src), { technique, preset: '2006', paging: technique === 'hardware-assisted' ? 'shadow' : 'auto' });
  if (p.kind !== 'ready') throw new Error(JSON.stringify(p));
  p.engine.recordEvents(false);
  p.engine.runToEnd();
  return { result: p.engine.result(), events: p.engine.events as TraceEvent[], monitor: p.engine.run as Monitor };
}

const SHADOWED: TechniqueId[] = ['trap-and-emulate', 'binary-translation', 'hardware-assisted'];

describe('shadow tables cached per guest page table', () => {
  for (const technique of SHADOWED) {
    it(`${technique}: switching CR3 back reuses the shadow: no rebuild, no hidden fault for mappings already shadowed`, () => {
      const { result, events } = run(switcher([0xa000, 0xa100], 4), technique);
      expect(result.vms[0].state).toBe('powered-off');
      const updates = events.filter((e) => e.kind === 'shadow-update');
      const built = updates.filter((e) => e.kind === 'shadow-update' && e.detail.includes('new shadow'));
      const reused = updates.filter((e) => e.kind === 'shadow-update' && e.detail.includes('reused'));
      expect(built).toHaveLength(2); // one per guest table, once
      expect(reused.length).toBeGreaterThanOrEqual(6);
      // After the first round (both tables shadowed), the switches back and forth fault no more.
      const secondRound = events.indexOf(reused[1]);
      expect(events.slice(secondRound).filter((e) => e.kind === 'hidden-fault')).toEqual([]);
      expect(result.counters.shadowUpdates).toBe(2);
    });
  }

  it('keeps cached shadows coherent: a store to a cached table zaps its entry, refilled by one hidden fault', () => {
    const { result, events } = run(switcher([0xa000, 0xa100], 3, true), 'trap-and-emulate');
    expect(result.vms[0].state).toBe('powered-off');
    const zaps = events.filter((e) => e.kind === 'shadow-update' && e.detail.startsWith('guest PTE 8 written'));
    expect(zaps.length).toBe(6);
    // Page 8 faults again once after each zap (the next visit of that table), never otherwise.
    const page8 = events.filter((e) => e.kind === 'hidden-fault' && e.address === 0x8000);
    expect(page8.length).toBe(6);
  });

  it(`keeps at most ${SHADOW_ROOTS} shadow tables and shows each eviction`, () => {
    const tables = [0xa000, 0xa100, 0xa200, 0xa300, 0xa400];
    const { result, events, monitor } = run(switcher(tables, 2), 'trap-and-emulate');
    expect(result.vms[0].state).toBe('powered-off');
    expect(monitor.guests[0].shadowRoots.length).toBe(SHADOW_ROOTS);
    const evictions = events.filter((e) => e.kind === 'shadow-update' && e.detail.includes('evicted'));
    // Five tables round-robin through four slots: from the fifth switch on, every switch evicts one.
    expect(evictions.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.kind === 'shadow-update' && e.detail.includes('reused'))).toEqual([]);
  });
});
