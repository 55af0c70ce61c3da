// The technique's own structures: the VMCS field by field with the last exit (hardware assistance), the
// translation cache with original and translated code side by side (binary translation), the hypercall
// table with counts (paravirtualization, and VMCALL under hardware assistance), and for the other
// techniques what they do with each sensitive instruction.
import { useRef } from 'react';
import { XEN_HYPERCALLS, type XenHypercallName } from '../../../config';
import type { TechniqueId, TranslatedBlockView, VmcsView, VmInspection } from '../../../protocol/messages';
import { fmt } from '../../shared/format';
import { useApp } from '../../state/context';

const hex = (v: number) => `0x${(v >>> 0).toString(16).toUpperCase()}`;

/** Xen's hypercalls (their numbers from src/config/xen.ts), with what a PV kernel calls each one instead of. */
export const HYPERCALLS: readonly { name: XenHypercallName; native: string }[] = [
  { name: 'set_trap_table', native: 'LIDT' },
  { name: 'mmu_update', native: 'page-table stores (a batch)' },
  { name: 'stack_switch', native: 'MOV KSP' },
  { name: 'set_callbacks', native: 'the IDT entry of the timer' },
  { name: 'multicall', native: 'several hypercalls, one crossing' },
  { name: 'update_va_mapping', native: 'a page-table store and INVLPG' },
  { name: 'set_timer_op', native: 'OUT 0x40 (one-shot)' },
  { name: 'xen_version', native: "STI's pending interrupt (xen_force_evtchn_callback)" },
  { name: 'console_io', native: 'OUT 0xE9' },
  { name: 'iret', native: 'IRET' },
  { name: 'vcpu_op', native: '(register vcpu_info)' },
  { name: 'mmuext_op', native: 'MOV CR3, INVLPG' },
  { name: 'sched_op', native: 'HLT, OUT 0xF4' },
  { name: 'event_channel_op', native: '(bind VIRQ_TIMER)' },
];

/** What each technique does with the sensitive instructions of guest-kernel code (virtualization.md). */
const SENSITIVE: Partial<Record<TechniqueId, readonly (readonly [string, string])[]>> = {
  native: [
    ['every instruction', 'runs for real at CPL 0: no hypervisor'],
    ['INT, exceptions, timer', 'delivered by the CPU through the IDT'],
  ],
  interpret: [
    ['every instruction', 'fetched, decoded and executed in software on the vCPU'],
    ['memory accesses', 'the software MMU walks the guest’s page table'],
    ['traps', 'none: nothing runs on the real CPU'],
  ],
  'trap-and-emulate': [
    ['CLI, STI, LIDT, MOV KSP, HLT, IRET', 'trap (#GP at real CPL 3), emulated on the vCPU'],
    ['IN, OUT', 'trap, device emulation'],
    ['MOV CR3, INVLPG', 'trap, switch or sync the shadow table'],
    ['POPF, PUSHF, SMSW, SIDT (classic)', 'run directly: a fidelity violation when the result differs'],
    ['INT, exceptions', 'trap, reflected into the guest kernel'],
    ['timer', 'trap, injected when vIF = 1'],
    ['page-table writes', 'write-protected page: trap, shadow update'],
  ],
  'hardware-assisted': [
    ['CLI, STI, POPF, PUSHF, LIDT, IRET', 'run directly in non-root mode on VMCS state'],
    ['IN, OUT', 'VM exit (I/O, 30)'],
    ['HLT', 'VM exit (HLT, 12)'],
    ['MOV CR3, INVLPG', 'VM exit with shadow paging (28, 14); direct with EPT'],
    ['INT (system call)', 'no exit at all'],
    ['VMCALL', 'VM exit (18): the hypercall interface'],
  ],
};

/** Marks the fields whose value changed since the previous snapshot of the same run. */
function useChanged(values: Record<string, string>): ReadonlySet<string> {
  const prev = useRef<{ key: string; values: Record<string, string>; changed: Set<string> }>({ key: '', values: {}, changed: new Set() });
  const key = JSON.stringify(values);
  if (prev.current.key !== key) {
    const changed = new Set<string>();
    if (prev.current.key) for (const k of Object.keys(values)) if (prev.current.values[k] !== values[k]) changed.add(k);
    prev.current = { key, values, changed };
  }
  return prev.current.changed;
}

function Vmcs({ vmcs }: { vmcs: VmcsView }) {
  const c = vmcs.controls;
  const on = (b: boolean) => (b ? 'on' : 'off');
  const groups: readonly { title: string; fields: readonly (readonly [string, string])[] }[] = [
    { title: 'Guest state', fields: Object.entries(vmcs.guest).map(([k, v]) => [k, k === 'CPL' ? String(v) : hex(v)] as const) },
    { title: 'Host state', fields: Object.entries(vmcs.host).map(([k, v]) => [k, typeof v === 'number' ? hex(v) : v] as const) },
    {
      title: 'Execution controls',
      fields: [
        ['HLT exiting', on(c.hlt)],
        ['I/O exiting', on(c.io)],
        ['CR3-load exiting', on(c.cr3)],
        ['INVLPG exiting', on(c.invlpg)],
        ['exception bitmap', c.exceptions.length ? c.exceptions.map((v) => `#${v}`).join(' ') : 'none'],
        ['external-interrupt exiting', on(c.externalInterrupt)],
        ['interrupt-window exiting', on(c.interruptWindow)],
      ],
    },
    {
      title: 'Exit information (last exit)',
      fields: vmcs.exit
        ? [
            ['reason', `${vmcs.exit.reason} ${vmcs.exit.reasonName}`],
            ['qualification', vmcs.exit.qualification],
            ['instruction', vmcs.exit.instruction],
          ]
        : [['reason', 'no exit yet']],
    },
  ];
  const values = Object.fromEntries(groups.flatMap((g) => g.fields.map(([k, v]) => [`${g.title}.${k}`, v])));
  const changed = useChanged(values);
  return (
    <div className="vmcs">
      {groups.map((g) => (
        <table key={g.title} className={g.title.startsWith('Exit') ? 'exit-info' : undefined}>
          <caption>{g.title}</caption>
          <tbody>
            {g.fields.map(([k, v]) => (
              <tr key={k} className={changed.has(`${g.title}.${k}`) ? 'changed' : undefined}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {vmcs.fields && <VmcsFields vmcs={vmcs} />}
    </div>
  );
}

const FIELD_GROUPS: readonly { id: 'guest' | 'host' | 'control' | 'exit' | 'entry'; title: string }[] = [
  { id: 'guest', title: 'guest-state area' },
  { id: 'host', title: 'host-state area' },
  { id: 'control', title: 'VM-execution controls' },
  { id: 'exit', title: 'VM-exit information' },
  { id: 'entry', title: 'VM-entry controls' },
];

/** The VMCS (VMCB on AMD) by its real field names; what the last exit's handler read and wrote is marked. */
function VmcsFields({ vmcs }: { vmcs: VmcsView }) {
  const read = new Set(vmcs.touched?.read ?? []);
  const written = new Set(vmcs.touched?.written ?? []);
  const name = vmcs.vendor === 'amd' ? 'VMCB' : 'VMCS';
  return (
    <table className="vmcs-fields">
      <caption>
        {name} fields (last exit: <span className="read">read</span>, <span className="written">written</span>)
      </caption>
      <tbody>
        {FIELD_GROUPS.flatMap((g) => {
          const rows = (vmcs.fields ?? []).filter((f) => f.group === g.id);
          if (!rows.length) return [];
          return [
            <tr key={g.id}>
              <th colSpan={3} scope="rowgroup">
                {g.title}
              </th>
            </tr>,
            ...rows.map((f) => {
              const mark = written.has(f.name) ? 'written' : read.has(f.name) ? 'read' : undefined;
              return (
                <tr key={f.name} className={mark}>
                  <th scope="row">
                    <code>{f.name}</code>
                  </th>
                  <td>{hex(f.value)}</td>
                  <td>{mark ?? ''}</td>
                </tr>
              );
            }),
          ];
        })}
      </tbody>
    </table>
  );
}

function Blocks({ blocks, pc }: { blocks: readonly TranslatedBlockView[]; pc: number }) {
  // The block holding the PC first, then the most recent.
  const atPc = blocks.find((b) => b.instructions.some((i) => i.address === pc));
  const ordered = [...(atPc ? [atPc] : []), ...blocks.filter((b) => b !== atPc).reverse()];
  if (!ordered.length) return <p className="note">No block translated yet: kernel code is translated when it first runs.</p>;
  return (
    <div className="blocks">
      {ordered.map((b) => (
        <table key={b.pc} className={b === atPc ? 'at-pc' : undefined}>
          <caption>
            block {hex(b.pc)} · {b.instructions.length} instruction{b.instructions.length === 1 ? '' : 's'}
            {b === atPc ? ' · the PC is here' : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">address</th>
              <th scope="col">original</th>
              <th scope="col">translated</th>
            </tr>
          </thead>
          <tbody>
            {b.instructions.map((i) => (
              <tr key={i.address} className={`${i.kind}${i.address === pc ? ' pc' : ''}`}>
                <td className="addr">{hex(i.address)}</td>
                <td className="orig">{i.original}</td>
                <td className="becomes">
                  <span className={`tc-kind kind-${i.kind}`}>{i.kind}</span> {i.kind === 'kept' ? '(same)' : i.becomes}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

function Hypercalls({ counts }: { counts: Readonly<Record<string, number>> }) {
  return (
    <table className="hypercalls">
      <caption>Xen's hypercall table (VMCALL n, arguments in R1–R5, result in R0: 0 or −errno)</caption>
      <thead>
        <tr>
          <th scope="col">n</th>
          <th scope="col">name</th>
          <th scope="col">instead of</th>
          <th scope="col">calls</th>
        </tr>
      </thead>
      <tbody>
        {HYPERCALLS.map((h) => (
          <tr key={h.name} className={counts[h.name] ? 'used' : undefined}>
            <td>{XEN_HYPERCALLS[h.name]}</td>
            <td className="name">{h.name}</td>
            <td>{h.native}</td>
            <td className="count">{fmt(counts[h.name] ?? 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function titleOf(technique: TechniqueId): string {
  switch (technique) {
    case 'hardware-assisted':
      return 'VMCS';
    case 'binary-translation':
      return 'Translation cache';
    case 'paravirtualization':
      return 'Hypercalls';
    default:
      return 'Sensitive instructions';
  }
}

export function InspectorPanel() {
  const technique = useApp((s) => s.snapshot?.technique ?? s.technique);
  const vm: VmInspection | undefined = useApp((s) => s.snapshot?.inspection?.vms[s.snapshot.inspection.current]);
  const title = titleOf(technique);
  const hypercallCounts = vm?.hypercalls ?? null;
  const usedHypercalls = hypercallCounts && Object.values(hypercallCounts).some((n) => n > 0);
  return (
    <section className="panel inspector" aria-label="Inspector">
      <h2>
        Inspector <span className="subtitle">{title}</span>
      </h2>
      <div className="inspector-body">
        {vm?.vmcs && <Vmcs vmcs={vm.vmcs} />}
        {vm?.blocks && <Blocks blocks={vm.blocks} pc={vm.virtual.PC} />}
        {hypercallCounts && (technique === 'paravirtualization' || usedHypercalls) && <Hypercalls counts={hypercallCounts} />}
        {SENSITIVE[technique] && (
          <table className="sensitive">
            <caption>What {technique} does with guest-kernel code</caption>
            <tbody>
              {SENSITIVE[technique]?.map(([what, does]) => (
                <tr key={what}>
                  <th scope="row">{what}</th>
                  <td>{does}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {!vm && <p className="note">Nothing loaded.</p>}
      </div>
    </section>
  );
}
