// The Memory panel: guest-physical bytes with their disassembly around the PC (or any address), and the
// memory structures of virtualization as one table over the 16 pages: the guest's page table, the
// shadow table or EPT the hardware really walks, the P2M (guest frame → host frame), and the TLB.
import { useState } from 'react';
import { disassembleAt } from '../../isa/disassembler';
import type { MemoryView, VmInspection } from '../../protocol/messages';
import { useApp, useAppStore } from '../context';

const hex = (v: number, pad = 4) => `0x${(v >>> 0).toString(16).toUpperCase().padStart(pad, '0')}`;
const byte = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');
const PAGES = Array.from({ length: 16 }, (_, i) => i);
/** Code lines shown around the PC. */
const LINES_BEFORE = 2;
const LINES_AFTER = 5;

function Code({ memory }: { memory: MemoryView }) {
  const bytes = Uint8Array.from(memory.bytes);
  const lines: { address: number; raw: string; text: string; pc: boolean }[] = [];
  const startAt = Math.max(memory.base, (memory.focus & ~7) - LINES_BEFORE * 8);
  const count = LINES_BEFORE + 1 + LINES_AFTER;
  for (let i = 0; i < count; i++) {
    const address = startAt + i * 8;
    const off = address - memory.base;
    if (off + 8 > bytes.length) break;
    const chunk = bytes.subarray(off, off + 8);
    const text = disassembleAt(bytes, off) ?? `.byte ${Array.from(chunk, byte).join(' ')}`;
    lines.push({ address, raw: Array.from(chunk, byte).join(' '), text, pc: address === memory.pcPhysical });
  }
  return (
    <table className="code-view">
      <caption className="sr-only">Guest-physical memory with its disassembly</caption>
      <thead>
        <tr>
          <th scope="col">address</th>
          <th scope="col">bytes</th>
          <th scope="col">instruction</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => (
          <tr key={l.address} className={l.pc ? 'pc' : undefined} aria-current={l.pc ? 'location' : undefined}>
            <td className="addr">
              {l.pc ? '▶ ' : ''}
              {hex(l.address)}
            </td>
            <td className="raw">{l.raw}</td>
            <td className="text">{l.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Paging({ vm, paging }: { vm: VmInspection; paging: string }) {
  const inTlb = new Map(vm.tlb.map((t) => [t.page, t]));
  const second = vm.ept
    ? { name: 'EPT', title: 'guest-physical frame → host frame (nested paging)', entries: vm.ept }
    : vm.shadow
      ? { name: 'Shadow', title: 'guest-virtual page → host frame: the table the hardware walks', entries: vm.shadow }
      : null;
  return (
    <table className="paging">
      <caption>
        Paging{' '}
        <span className="subtitle">
          ({paging}) · guest page table {vm.pageTable ? 'on' : 'off'}
        </span>
      </caption>
      <thead>
        <tr>
          <th scope="col">page</th>
          {PAGES.map((p) => (
            <th scope="col" key={p}>
              {p}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {vm.pageTable && (
          <tr>
            <th scope="row" title="The guest's own page table: virtual page → guest-physical frame">
              guest PT
            </th>
            {vm.pageTable.map((e) => (
              <td key={e.page} className={e.present ? undefined : 'absent'} title={`page ${e.page}: ${e.flags}`}>
                {e.present ? e.frame : '·'}
              </td>
            ))}
          </tr>
        )}
        {second && (
          <tr>
            <th scope="row" title={second.title}>
              {second.name}
            </th>
            {second.entries.map((e) => (
              <td key={e.page} className={e.hostFrame === null ? 'absent' : 'host'}>
                {e.hostFrame ?? '·'}
              </td>
            ))}
          </tr>
        )}
        <tr>
          <th scope="row" title="P2M: guest-physical frame → host frame (deliberately not contiguous)">
            P2M
          </th>
          {vm.p2m.map((f, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the index is the guest frame number
            <td key={i} className="host">
              {f}
            </td>
          ))}
        </tr>
        <tr>
          <th scope="row" title="TLB entries: page → frame (flags)">
            TLB
          </th>
          {PAGES.map((p) => {
            const t = inTlb.get(p);
            return (
              <td
                key={p}
                className={t ? 'tlb' : 'absent'}
                title={t ? `slot ${t.slot}: page ${p} → frame ${t.frame} ${t.flags}` : undefined}
              >
                {t ? t.frame : '·'}
              </td>
            );
          })}
        </tr>
      </tbody>
    </table>
  );
}

export function MemoryPanel() {
  const { commands } = useAppStore();
  const memory = useApp((s) => s.snapshot?.memory);
  const vm = useApp((s) => s.snapshot?.inspection?.vms[s.snapshot.inspection.current]);
  const paging = useApp((s) => s.snapshot?.paging ?? '');
  const pc = useApp((s) => s.snapshot?.vms[s.snapshot.inspection?.current ?? 0]?.cpu.PC);
  const [address, setAddress] = useState('');
  const go = () => {
    const n = Number.parseInt(address.replace(/^0x/i, ''), 16);
    if (Number.isFinite(n) && n >= 0 && n <= 0xffff) commands.setMemoryAddress(n);
  };
  return (
    <section className="panel memory" aria-label="Memory">
      <h2>
        Memory{' '}
        <span className="subtitle">
          {memory?.followsPc && pc !== undefined
            ? `around the PC ${hex(pc)}${memory.pcPhysical !== null && memory.pcPhysical !== pc ? ` (physical ${hex(memory.pcPhysical)})` : ''}`
            : memory
              ? `guest-physical ${hex(memory.focus)}`
              : ''}
        </span>
      </h2>
      <form
        className="memory-tools"
        onSubmit={(e) => {
          e.preventDefault();
          go();
        }}
      >
        <label>
          <span>Address</span>
          <input value={address} onChange={(e) => setAddress(e.target.value)} placeholder="hex, e.g. 9000" spellCheck={false} size={8} />
        </label>
        <button type="submit">Show</button>
        <button type="button" onClick={() => commands.setMemoryAddress(null)} disabled={memory?.followsPc ?? true}>
          Follow PC
        </button>
      </form>
      <div className="memory-body">
        {vm && <Paging vm={vm} paging={paging} />}
        {memory ? <Code memory={memory} /> : <p className="note">Nothing loaded.</p>}
      </div>
    </section>
  );
}
