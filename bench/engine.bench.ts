// Engine benchmarks: guest instructions per second, snapshot and restore costs. Figures, not tests.

import { compareScenario } from '../src/cli/commands';
import { prepare } from '../src/hypervisor/engine';
import { TECHNIQUE_IDS, type TechniqueId } from '../src/hypervisor/technique';
import { assemble } from '../src/isa/assembler';
import { run } from '../src/machine/interpreter';
import { Machine } from '../src/machine/machine';
import { restore, snapshot } from '../src/machine/snapshot';
import { scenarioFromSource } from '../src/scenario/scenario';
import { computeLoop, forkwait } from '../src/testing/workloads';
import { parseMarkdown } from '../src/ui/markdown';

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

function ips(src: string, budget: number, setup?: (m: Machine) => void): number {
  let best = 0;
  for (let i = 0; i < 5; i++) {
    const m = machineFor(src);
    setup?.(m);
    const t0 = performance.now();
    run(m, budget);
    const dt = performance.now() - t0;
    if (m.state !== 'running') throw new Error(`benchmark guest stopped: ${m.state} ${m.crashReason}`);
    best = Math.max(best, m.retired / (dt / 1000));
  }
  return best;
}

function fmt(n: number, unit: string): string {
  return `${(n / 1e6).toFixed(1)} M ${unit}`;
}

const results: Record<string, string> = {};
results['native, compute loop'] = fmt(ips(COMPUTE, 200_000_000), 'guest instructions/s');
results['native, compute loop, event sink attached (no tracing)'] = fmt(
  ips(COMPUTE, 200_000_000, (m) => {
    m.events = { push() {} };
  }),
  'guest instructions/s',
);
results['native, system calls + page faults'] = fmt(ips(SYSCALL_PF, 20_000_000), 'guest instructions/s');

{
  const m = machineFor(SYSCALL_PF);
  run(m, 1_000_000);
  const N = 2000;
  let spent = 0;
  const snaps = [];
  for (let i = 0; i < N; i++) {
    run(m, 5000);
    const t = performance.now();
    snaps.push(snapshot(m));
    spent += performance.now() - t;
  }
  const snapUs = (spent / N) * 1000;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) restore(m, snaps[(i * 7919) % N]);
  const restoreUs = ((performance.now() - t0) / N) * 1000;
  results['snapshot, taken every 5,000 instructions'] = `${snapUs.toFixed(1)} µs`;
  results['restore of a random earlier snapshot'] = `${restoreUs.toFixed(1)} µs`;
}

/** Host throughput of a technique: guest instructions per second of wall-clock time. */
function techniqueIps(src: string, technique: TechniqueId, preset: '2006' | 'modern'): number | undefined {
  let best = 0;
  for (let i = 0; i < 3; i++) {
    const p = prepare(scenarioFromSource(src), { technique, preset });
    if (p.kind !== 'ready') return undefined;
    const t0 = performance.now();
    p.engine.runToEnd();
    const dt = performance.now() - t0;
    best = Math.max(best, p.engine.run.steps() / (dt / 1000));
  }
  return best;
}

for (const technique of TECHNIQUE_IDS) {
  const c = techniqueIps(computeLoop(20_000_000), technique, 'modern');
  const f = techniqueIps(forkwait(3000), technique, '2006');
  if (c === undefined) {
    results[`engine, ${technique}`] = 'not built yet';
    continue;
  }
  results[`engine, ${technique}, compute loop`] = fmt(c, 'guest instructions/s');
  results[`engine, ${technique}, forkwait-like (2006)`] =
    technique === 'paravirtualization'
      ? 'n/a: an unmodified kernel cannot run paravirtualized'
      : f === undefined
        ? 'refused'
        : fmt(f, 'guest instructions/s');
}

{
  // The translation cache on the forkwait-like guest: lookups that found their block.
  const p = prepare(scenarioFromSource(forkwait(3000)), { technique: 'binary-translation', preset: '2006' });
  if (p.kind === 'ready') {
    p.engine.runToEnd();
    const c = p.engine.result().counters;
    const lookups = c.tcHits + c.translatedBlocks;
    results['binary translation, forkwait-like: translated blocks / cache hits'] =
      `${c.translatedBlocks} / ${c.tcHits.toLocaleString('en-US')} (hit rate ${((100 * c.tcHits) / Math.max(1, lookups)).toFixed(1)}%)`;
  }
}

{
  const src = forkwait(8000);
  const input = { label: 'forkwait', scenario: { ...scenarioFromSource(src), preset: '2006' as const } };
  const t0 = performance.now();
  const r = compareScenario(input, { trace: false, json: true });
  const dt = performance.now() - t0;
  const n = r.kind === 'ok' ? r.results.filter((x) => !('skipped' in x)).length : 0;
  const steps = r.kind === 'ok' ? r.results.find((x) => !('skipped' in x) && x.technique === 'native') : undefined;
  results[
    `compare, forkwait-like guest (${steps && !('skipped' in steps) ? steps.counters.instructions.toLocaleString('en-US') : '?'} instructions, ${n} techniques)`
  ] = `${dt.toFixed(0)} ms`;
}

{
  // Hostile notes (a share link carries them): the parser must stay linear.
  const hostile = ['*x '.repeat(30_000), '['.repeat(90_000), '`'.repeat(90_000), '_a '.repeat(30_000), '**'.repeat(45_000)];
  const t0 = performance.now();
  for (const s of hostile) parseMarkdown(s);
  results['markdown, five hostile 90 KB notes'] = `${(performance.now() - t0).toFixed(0)} ms`;
}

const width = Math.max(...Object.keys(results).map((k) => k.length));
console.log('VirtLab engine benchmarks (Node', process.version, ')');
for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(width)}  ${v}`);
