// Human-readable output of the command line (the JSON is the contract; this is for people).

import type { Analysis } from '../isa/analysis';
import { compareVerdicts, verdictLine } from '../scenario/compare-verdict';
import type { RealSystem } from '../scenario/systems';
import { type CompareEntry, MAX_TRACE_LIMIT, type RunJson } from './commands';
import { printableField } from './escape';

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Guest output in quotes, every control character escaped; a long one cut (the JSON has it whole). */
function quote(s: string): string {
  const max = 2000;
  const shown = s.length > max ? s.slice(0, max) : s;
  return `${printableField(JSON.stringify(shown))}${s.length > max ? ` … (${s.length.toLocaleString('en-US')} characters; --json has them all)` : ''}`;
}

const n = (v: number) => v.toLocaleString('en-US');

/** Says that a run's trace was cut, and how to keep more. */
export function traceNotice(r: RunJson): string {
  const t = r.trace;
  if (!t) return '';
  return `trace of ${r.technique} cut at ${n(t.limit)} events: kept the first ${n(t.kept)}, which cover the run up to step ${n(t.droppedFromStep ?? 0)} of ${n(r.counters.instructions)}; nothing after was recorded (--trace-limit N keeps up to ${n(MAX_TRACE_LIMIT)}; --max-steps N runs less)`;
}

export function formatRun(r: RunJson): string {
  const lines: string[] = [];
  const bare = r.technique === 'native';
  lines.push(
    `technique ${r.technique}${bare ? ' (bare metal: no hypervisor)' : ''} · isa ${r.isa} · preset ${r.preset} · paging ${r.paging}`,
  );
  lines.push(`stop: ${r.stop.reason} after ${r.counters.instructions.toLocaleString('en-US')} ${bare ? '' : 'guest '}instructions`);
  for (const vm of r.vms) {
    const how =
      vm.state === 'powered-off'
        ? `powered off, exit code ${vm.exitCode}`
        : vm.state === 'crashed'
          ? `crashed: ${printableField(String(vm.crashReason))}`
          : vm.state;
    lines.push('');
    lines.push(`${printableField(vm.name)}: ${how}`);
    lines.push(`  console: ${vm.console.length ? quote(vm.console) : '(empty)'}`);
    const c = vm.cpu;
    lines.push(
      `  R0=${hex(c.R0)} R1=${hex(c.R1)} R2=${hex(c.R2)} R3=${hex(c.R3)} R4=${hex(c.R4)} R5=${hex(c.R5)} R6=${hex(c.R6)} SP=${hex(c.R7)}`,
    );
    lines.push(
      `  PC=${hex(c.PC)} FLAGS=${hex(c.FLAGS)} CPL=${c.CPL} CR0=${hex(c.CR0)} CR2=${hex(c.CR2)} CR3=${hex(c.CR3)} IDTR=${hex(c.IDTR)} KSP=${hex(c.KSP)}`,
    );
    const nonzero = Object.entries(vm.counters).filter(([, v]) => (typeof v === 'number' ? v > 0 : Object.keys(v).length > 0));
    lines.push(`  counters: ${nonzero.map(([k, v]) => `${k} ${typeof v === 'number' ? v : JSON.stringify(v)}`).join(', ')}`);
    for (const f of vm.fidelity)
      lines.push(`  fidelity violation at ${hex(f.pc)}: ${f.instruction} expected ${f.expected}, got ${f.actual}`);
  }
  lines.push('');
  const cats = Object.entries(r.cycles.byCategory).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`);
  lines.push(`cycles: ${r.cycles.total.toLocaleString('en-US')} (${cats.join(', ') || 'none'})`);
  if (r.trace) {
    lines.push(
      r.trace.truncated ? traceNotice(r) : `trace: ${n(r.trace.kept)} event${r.trace.kept === 1 ? '' : 's'} recorded (--json prints them)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function formatCompare(results: CompareEntry[]): string {
  const lines: string[] = [];
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (n: number) => n.toLocaleString('en-US').padStart(14);
  const { reference, verdicts } = compareVerdicts(results);
  lines.push(`${pad('technique', 20)}${'cycles'.padStart(14)}${'instructions'.padStart(14)}  ${pad('fidelity', 14)}  breakdown`);
  const notes: string[] = [];
  results.forEach((r, i) => {
    if ('skipped' in r) {
      lines.push(`${pad(r.technique, 20)}${'skipped'.padStart(14)}  ${r.skipped}`);
      return;
    }
    const v = verdicts[i];
    const fidelity =
      v.fidelity === 'reference'
        ? 'bare metal'
        : !v.comparable
          ? 'not comparable'
          : v.fidelity === 'holds'
            ? 'holds'
            : `${r.counters.fidelityViolations} violations`;
    const cats = Object.entries(r.cycles.byCategory)
      .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
      .join(', ');
    lines.push(`${pad(r.technique, 20)}${num(r.cycles.total)}${num(r.counters.instructions)}  ${pad(fidelity, 14)}  ${cats}`);
    if (v.fidelity !== 'reference') notes.push(`  ${pad(r.technique, 20)}${verdictLine(v)}`);
  });
  if (notes.length) {
    lines.push(
      '',
      reference === 'bare-metal'
        ? 'verdict (against bare metal):'
        : reference === 'agreement'
          ? 'verdict (bare metal cannot run it: against the outcome the techniques agree on):'
          : 'verdict (no reference run finished):',
    );
    lines.push(...notes);
  }
  return `${lines.join('\n')}\n`;
}

export function formatAnalysis(a: Analysis): string {
  const lines: string[] = [`Popek–Goldberg analysis of VX (${a.isa})`, ''];
  lines.push(`${'instruction'.padEnd(14)}${'privileged'.padEnd(12)}${'sensitive'.padEnd(20)}user-sensitive`);
  for (const i of a.instructions.filter((x) => x.privileged || x.sensitive.length)) {
    lines.push(
      `${i.mnemonic.padEnd(14)}${(i.privileged ? 'yes' : 'no').padEnd(12)}${(i.sensitive.join(', ') || '-').padEnd(20)}${i.userSensitive ? 'yes' : 'no'}`,
    );
  }
  lines.push('(every other instruction is neither privileged nor sensitive)');
  lines.push('');
  const verdict = (t: Analysis['theorem1']) =>
    t.holds ? 'holds' : `fails: ${t.violators.join(', ')} ${t.violators.length > 1 ? 'are' : 'is'} sensitive but not privileged`;
  lines.push(`Theorem 1 (trap-and-emulate VMM iff sensitive ⊆ privileged): ${verdict(a.theorem1)}`);
  lines.push(`Theorem 3 (hybrid VMM iff user-sensitive ⊆ privileged): ${verdict(a.theorem3)}`);
  return `${lines.join('\n')}\n`;
}

export function formatScenarios(list: { id: string; title: string; technique: string; topics: readonly string[] }[]): string {
  const w = Math.max(...list.map((e) => e.id.length)) + 2;
  const lines = list.map(
    (e) => `@${e.id.padEnd(w)}${e.technique.padEnd(20)}${printableField(e.title)}\n${' '.repeat(w + 21)}topics: ${e.topics.join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatCheck(r: {
  scenario: string;
  steps: { text: string; seen: boolean; step: number | null; why?: string }[];
  passed: boolean;
}): string {
  const verdict = r.passed ? 'every step seen' : r.steps.length === 0 ? 'nothing to check' : 'a step is not seen';
  const lines = [`${printableField(r.scenario)}: ${verdict}`];
  r.steps.forEach((s, i) => {
    lines.push(
      `  ${s.seen ? 'seen' : 'NOT SEEN'} ${i + 1}. ${s.text}${s.seen && s.step !== null ? ` (step ${s.step.toLocaleString('en-US')})` : ''}`,
    );
    if (!s.seen && s.why) lines.push(`       why: ${s.why}`);
  });
  if (r.steps.length === 0) lines.push('  (the scenario has no lookFor steps: docs/checks.md says how to write them)');
  return `${lines.join('\n')}\n`;
}

export function formatSystems(list: readonly RealSystem[]): string {
  const lines: string[] = [];
  for (const s of list) {
    lines.push(
      `${s.id.padEnd(22)}${String(s.year).padEnd(6)}${(s.technique ?? 'not a VM').padEnd(20)}${s.type === null ? '-' : `type ${s.type}`}  ${s.preset}${s.isa ? ` ${s.isa}` : ''}  ${s.name}`,
    );
    lines.push(`${' '.repeat(22)}${s.summary}`, `${' '.repeat(22)}VirtLab simplifies: ${s.simplifies}`);
  }
  return `${lines.join('\n')}\n`;
}
