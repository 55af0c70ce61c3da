// A/B: the same scenario under two pinned settings, line by line: the settings, each VM's end, console
// and registers, the counters and the cycles, each line marked where A and B differ. Pure over the two
// results the worker sent back (the `compare` message with `settings`).
import { type CompareEntry, type CompareSetting, CPU_FIELDS } from '../../protocol/messages';
import { CATEGORIES, COUNTERS } from '../panels/costs/Costs';
import { fmt } from '../shared/format';

export interface AbLine {
  readonly section: 'Settings' | 'Outcome' | 'Console' | 'Registers' | 'Counters' | 'Cycles';
  readonly label: string;
  readonly a: string;
  readonly b: string;
  readonly differs: boolean;
}

const REGISTERS = CPU_FIELDS;

const hex = (n: number) => `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

/** The named pairs a lecture asks for, each from the page's current setting (only one thing changes). */
export const AB_PAIRS: readonly {
  readonly id: string;
  readonly label: string;
  readonly make: (s: CompareSetting) => [CompareSetting, CompareSetting];
}[] = [
  {
    id: 'isa',
    label: 'classic / strict',
    make: (s) => [
      { ...s, isa: 'classic' },
      { ...s, isa: 'strict' },
    ],
  },
  {
    id: 'type',
    label: 'type 1 / type 2',
    make: (s) => {
      // Bare metal has no hypervisor to be of a type: trap-and-emulate stands in (the `type2` lesson's).
      const t = s.technique === 'native' ? { ...s, technique: 'trap-and-emulate' as const } : s;
      return [
        { ...t, hypervisorType: 1 },
        { ...t, hypervisorType: 2 },
      ];
    },
  },
  {
    id: 'paging',
    label: 'shadow / EPT',
    // Nested paging needs the modern preset (EPT arrived with Nehalem in 2008) and hardware assistance.
    make: (s) => {
      const t = { ...s, technique: 'hardware-assisted' as const, preset: 'modern' as const };
      return [
        { ...t, paging: 'shadow' },
        { ...t, paging: 'nested' },
      ];
    },
  },
  {
    id: 'vendor',
    label: 'Intel / AMD',
    make: (s) => {
      const t = { ...s, technique: 'hardware-assisted' as const };
      return [
        { ...t, vendor: 'intel' },
        { ...t, vendor: 'amd' },
      ];
    },
  },
];

function line(section: AbLine['section'], label: string, a: string, b: string): AbLine {
  return { section, label, a, b, differs: a !== b };
}

export function settingLines(a: CompareSetting, b: CompareSetting): AbLine[] {
  return [
    line('Settings', 'Technique', a.technique, b.technique),
    line('Settings', 'Instruction set', a.isa, b.isa),
    line('Settings', 'Cost preset', a.preset, b.preset),
    line('Settings', 'Paging', a.paging, b.paging),
    line('Settings', 'Hypervisor type', `type ${a.hypervisorType}`, `type ${b.hypervisorType}`),
    line('Settings', 'Vendor', a.vendor, b.vendor),
  ];
}

/** Every line of the A/B table; a side the technique could not run shows why. */
export function abLines(sa: CompareSetting, sb: CompareSetting, ra: CompareEntry, rb: CompareEntry): AbLine[] {
  const lines = settingLines(sa, sb);
  if ('skipped' in ra || 'skipped' in rb) {
    const why = (r: CompareEntry) => ('skipped' in r ? `cannot run: ${r.skipped}` : 'ran');
    lines.push(line('Outcome', 'Run', why(ra), why(rb)));
    return lines;
  }
  lines.push(line('Outcome', 'Stopped', ra.stop.reason, rb.stop.reason));
  const vms = Math.max(ra.vms.length, rb.vms.length);
  for (let i = 0; i < vms; i++) {
    const va = ra.vms[i];
    const vb = rb.vms[i];
    const name = va?.name ?? vb?.name ?? `VM ${i}`;
    const end = (v: typeof va) =>
      v ? `${v.state}${v.exitCode === null ? '' : `, exit code ${v.exitCode}`}${v.crashReason ? ` (${v.crashReason})` : ''}` : '—';
    lines.push(line('Outcome', name, end(va), end(vb)));
    lines.push(line('Console', name, va?.console ?? '—', vb?.console ?? '—'));
    for (const reg of REGISTERS) {
      lines.push(line('Registers', vms > 1 ? `${name} ${reg}` : reg, va ? hex(va.cpu[reg]) : '—', vb ? hex(vb.cpu[reg]) : '—'));
    }
  }
  for (const { key, label } of COUNTERS) {
    const x = ra.counters[key] as number;
    const y = rb.counters[key] as number;
    if (x !== 0 || y !== 0) lines.push(line('Counters', label, fmt(x), fmt(y)));
  }
  // Per exit reason and per hypercall: Intel's names against AMD's, say, each on its own line.
  const named = [
    ['VM exits', ra.counters.vmExitsByReason, rb.counters.vmExitsByReason],
    ['Hypercalls', ra.counters.hypercallsByName, rb.counters.hypercallsByName],
  ] as const;
  for (const [label, x, y] of named) {
    for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
      lines.push(line('Counters', `${label}: ${k}`, fmt(x[k] ?? 0), fmt(y[k] ?? 0)));
    }
  }
  lines.push(line('Cycles', 'Total', fmt(ra.cycles.total), fmt(rb.cycles.total)));
  for (const c of CATEGORIES) {
    const x = ra.cycles.byCategory[c.id] ?? 0;
    const y = rb.cycles.byCategory[c.id] ?? 0;
    if (x !== 0 || y !== 0) lines.push(line('Cycles', c.label, fmt(x), fmt(y)));
  }
  return lines;
}
