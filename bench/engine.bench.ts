// Engine benchmarks: guest instructions per second, snapshot and restore costs. Figures, not tests.

import { GCProfiler } from 'node:v8';
import { compareScenario } from '../src/cli/commands';
import { prepare } from '../src/hypervisor/engine';
import { TECHNIQUE_IDS, type TechniqueId } from '../src/hypervisor/technique';
import { assemble } from '../src/isa/assembler';
import { run } from '../src/machine/interpreter';
import { Machine } from '../src/machine/machine';
import { restore, snapshot } from '../src/machine/snapshot';
import { scenarioFromSource } from '../src/scenario/scenario';
import { computeLoop, forkwait } from '../src/testing/workloads';
import { parseMarkdown } from '../src/ui/shared/markdown';

const COMPUTE = `
  MOV R0, 0
  MOV R1, 0x7FFFFFFF
loop: ADD R0, R1
  XOR R2, R0
  SHR R2, 1
  DEC R1
  JNZ loop
  OUT 0xF4, 0`;

/** System calls from user mode and page faults serviced by the kernel, in a loop. */
const SYSCALL_PF = `
  .equ PT, 0x9000
  MOV SP, 0xB000         ; the kernel stack, in page 10 (pages 0–11 are mapped)
  MOV R1, PT
  MOV R2, 0
fill: MOV R3, R2
  SHL R3, 12
  OR R3, 7
  STORE [R1], R3
  ADD R1, 4
  INC R2
  CMP R2, 12
  JNZ fill
  MOV R1, PT
  MOV CR3, R1
  MOV R1, 0x80000000
  MOV CR0, R1
  LIDT idt
  MOV R1, 0xB000
  MOV KSP, R1     ; kernel stack in page 10
  PUSH 0x8000
  PUSH 3
  PUSH 0x200
  PUSH user
  IRET
user: MOV R5, 0xC000
uloop: INT 0x80          ; system call
  LOAD R4, [R5]          ; page 12: not present until the kernel maps it
  ADD R5, 0x1000
  CMP R5, 0x10000
  JNZ uloop
  MOV R5, 0xC000
  JMP uloop
syscall: INC R6
  IRET
pf: PUSH R1              ; unmap pages 12–15, then map the page at CR2
  PUSH R2
  MOV R2, 0
  STORE [PT + 48], R2
  STORE [PT + 52], R2
  STORE [PT + 56], R2
  STORE [PT + 60], R2
  MOV R1, CR2
  SHR R1, 12
  MOV R2, R1
  SHL R2, 12
  OR R2, 7
  SHL R1, 2
  STORE [R1 + PT], R2
  MOV R2, CR3            ; reload CR3: the TLB must forget the unmapped pages
  MOV CR3, R2
  POP R2
  POP R1
  IRET                   ; back to the faulting LOAD
  .align 4
idt: .space 4 * 14
  .word pf
  .space 4 * 113
  .word syscall
`;

function machineFor(src: string): Machine {
  const a = assemble(src);
  if (!a.ok) throw new Error(a.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  const m = new Machine();
  m.loadImage(a.image);
  return m;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const only = process.argv[2] ?? '';

/** Min / median / max of `RUNS` samples after one warm-up run (the warm-up lets the JIT settle). */
function stats(sample: () => number): [number, number, number] {
  sample();
  const xs = Array.from({ length: RUNS }, sample).sort((a, b) => a - b);
  return [xs[0], xs[Math.floor(xs.length / 2)], xs[xs.length - 1]];
}

const rows: [string, string][] = [];
function report(label: string, sample: () => number, unit: string, scale: number, digits = 1): void {
  if (only && !label.includes(only)) return;
  const [lo, med, hi] = stats(sample);
  const f = (x: number) => (x / scale).toFixed(digits);
  rows.push([label, `${f(lo)} / ${f(med)} / ${f(hi)} ${unit}`]);
  console.error(`  ${label}: ${rows[rows.length - 1][1]}`);
}

/** Guest instructions per second of a bare machine over `budget` instructions. */
function ips(src: string, budget: number, setup?: (m: Machine) => void): () => number {
  return () => {
    const m = machineFor(src);
    setup?.(m);
    const t0 = performance.now();
    run(m, budget);
    const dt = performance.now() - t0;
    if (m.state !== 'running') throw new Error(`benchmark guest stopped: ${m.state} ${m.crashReason}`);
    return m.retired / (dt / 1000);
  };
}

const M = 1e6;
report('native, compute loop', ips(COMPUTE, 100_000_000), 'M guest instructions/s', M);
report(
  'native, compute loop, event sink attached (no tracing)',
  ips(COMPUTE, 100_000_000, (m) => {
    m.events = { push() {} };
  }),
  'M guest instructions/s',
  M,
);
report('native, system calls + page faults', ips(SYSCALL_PF, 20_000_000), 'M guest instructions/s', M);

if (!only || 'snapshot restore'.includes(only)) {
  const m = machineFor(SYSCALL_PF);
  run(m, 1_000_000);
  const N = 2000;
  const snaps: ReturnType<typeof snapshot>[] = [];
  report(
    'snapshot, taken every 5,000 instructions',
    () => {
      let spent = 0;
      snaps.length = 0;
      for (let i = 0; i < N; i++) {
        run(m, 5000);
        const t = performance.now();
        snaps.push(snapshot(m));
        spent += performance.now() - t;
      }
      return (spent / N) * 1000;
    },
    'µs',
    1,
  );
  report(
    'restore of a random earlier snapshot',
    () => {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) restore(m, snaps[(i * 7919) % N]);
      return ((performance.now() - t0) / N) * 1000;
    },
    'µs',
    1,
  );
}

/** Host throughput of a technique: guest instructions per second of wall-clock time, nobody listening. */
function techniqueIps(src: string, technique: TechniqueId, preset: '2006' | 'modern', paging: 'auto' | 'shadow' = 'auto') {
  const scenario = scenarioFromSource(src);
  if (prepare(scenario, { technique, preset, paging }).kind !== 'ready') return undefined;
  return () => {
    const p = prepare(scenario, { technique, preset, paging });
    if (p.kind !== 'ready') throw new Error('refused');
    const t0 = performance.now();
    p.engine.runToEnd();
    const dt = performance.now() - t0;
    return p.engine.run.steps() / (dt / 1000);
  };
}

for (const technique of TECHNIQUE_IDS) {
  const c = techniqueIps(computeLoop(20_000_000), technique, 'modern');
  if (c) report(`engine, ${technique}, compute loop`, c, 'M guest instructions/s', M);
  if (technique === 'paravirtualization') continue; // an unmodified kernel cannot run paravirtualized
  const f = techniqueIps(forkwait(3000), technique, '2006', technique === 'native' ? 'auto' : 'shadow');
  if (f) report(`engine, ${technique}, forkwait-like (2006, shadow paging)`, f, 'M guest instructions/s', M);
}

/**
 * Bytes the JavaScript heap allocates per exit (trap, VM exit or hypercall) while a technique runs with
 * nobody listening: what the run allocates, garbage included (GCProfiler reports what each collection
 * freed), divided by the exits taken. Translation and shadow-table fills allocate by design; the exit
 * path itself should not.
 */
function bytesPerExit(src: string, technique: TechniqueId, paging: 'auto' | 'shadow') {
  const scenario = scenarioFromSource(src);
  if (prepare(scenario, { technique, preset: '2006', paging }).kind !== 'ready') return undefined;
  return () => {
    const p = prepare(scenario, { technique, preset: '2006', paging });
    if (p.kind !== 'ready') throw new Error('refused');
    const profiler = new GCProfiler();
    profiler.start();
    const before = process.memoryUsage().heapUsed;
    p.engine.runToEnd();
    const after = process.memoryUsage().heapUsed;
    let freed = 0;
    for (const s of profiler.stop()?.statistics ?? [])
      freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
    const c = p.engine.result().counters;
    return (after - before + freed) / Math.max(1, c.traps + c.vmExits + c.hypercalls);
  };
}

for (const technique of ['trap-and-emulate', 'binary-translation', 'hardware-assisted'] as const) {
  const b = bytesPerExit(forkwait(3000), technique, 'shadow');
  if (b) report(`allocation, ${technique}, forkwait-like (2006, shadow paging)`, b, 'bytes per exit', 1, 0);
}

if (!only || 'compare'.includes(only)) {
  const src = forkwait(8000);
  const input = { label: 'forkwait', scenario: { ...scenarioFromSource(src), preset: '2006' as const } };
  const r = compareScenario(input, { trace: false, json: true });
  const native = r.kind === 'ok' ? r.results.find((x) => !('skipped' in x) && x.technique === 'native') : undefined;
  const n = r.kind === 'ok' ? r.results.filter((x) => !('skipped' in x)).length : 0;
  const count = native && !('skipped' in native) ? native.counters.instructions.toLocaleString('en-US') : '?';
  report(
    `compare, forkwait-like guest (${count} instructions, ${n} techniques)`,
    () => {
      const t0 = performance.now();
      compareScenario(input, { trace: false, json: true });
      return performance.now() - t0;
    },
    'ms',
    1,
    0,
  );
}

{
  // The translation cache on the forkwait-like guest: lookups that found their block.
  const p = prepare(scenarioFromSource(forkwait(3000)), { technique: 'binary-translation', preset: '2006' });
  if (p.kind === 'ready') {
    p.engine.runToEnd();
    const c = p.engine.result().counters;
    const lookups = c.tcHits + c.translatedBlocks;
    rows.push([
      'binary translation, forkwait-like: translated blocks / cache hits',
      `${c.translatedBlocks} / ${c.tcHits.toLocaleString('en-US')} (hit rate ${((100 * c.tcHits) / Math.max(1, lookups)).toFixed(1)}%)`,
    ]);
  }
}

report(
  'markdown, five hostile 90 KB notes (a share link carries notes: the parser must stay linear)',
  () => {
    const hostile = ['*x '.repeat(30_000), '['.repeat(90_000), '`'.repeat(90_000), '_a '.repeat(30_000), '**'.repeat(45_000)];
    const t0 = performance.now();
    for (const s of hostile) parseMarkdown(s);
    return performance.now() - t0;
  },
  'ms',
  1,
  0,
);

const width = Math.max(...rows.map(([k]) => k.length));
console.log(`VirtLab engine benchmarks (Node ${process.version}; min / median / max of ${RUNS} runs after a warm-up)`);
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
