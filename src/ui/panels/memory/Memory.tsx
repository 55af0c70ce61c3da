// The Memory panel: guest-physical bytes with their disassembly around the PC (or any address), and the
// memory structures of virtualization as one table over the 16 pages: the guest's page table, the
// shadow table or EPT the hardware really walks, the P2M (guest frame → host frame), and the TLB.
import { useState } from 'react';
import { disassembleAt } from '../../../isa/disassembler';
import type { MemoryView, VmInspection } from '../../../protocol/messages';
import { useApp, useAppStore } from '../../state/context';

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

/** The class of a cell on the walk of the current access (the instruction fetch at the PC). */
const onWalk = (yes: boolean, base?: string) => (yes ? `${base ?? ''} walk`.trim() : base);

function Paging({ vm, paging, pc, bare }: { vm: VmInspection; paging: string; pc?: number; bare: boolean }) {
  const inTlb = new Map(vm.tlb.map((t) => [t.page, t]));
  // The walk of the current access: the PC's virtual page, then the guest frame it maps to.
  const page = pc === undefined || pc >>> 0 >= 0x10000 ? -1 : (pc >>> 12) & 15;
  const guestFrame = page < 0 ? -1 : vm.pageTable ? (vm.pageTable[page].present ? vm.pageTable[page].frame : -1) : page;
  const host = vm.tlb.some((t) => t.guestFrame !== undefined);
  const tag = vm.tlb.find((t) => t.tag)?.tag;
  const second = vm.ept
    ? {
        name: 'EPT',
        title: 'EPT: guest physical → host physical (nested paging: walked after the guest page table)',
        entries: vm.ept,
        by: 'frame',
      }
    : vm.shadow
      ? {
          name: 'Shadow',
          title: 'shadow table: guest virtual → host physical (the table the hardware walks)',
          entries: vm.shadow,
          by: 'page',
        }
      : null;
  return (
    <table className="paging">
      <caption>
        Paging{' '}
        <span className="subtitle">
          ({paging}) · {bare ? 'page table' : 'guest page table'} {vm.pageTable ? 'on' : 'off'}
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
            {bare ? (
              <th scope="row" title="The page table: virtual → physical (bare metal: no guest, no host)">
                PT <span className="maps">V → P</span>
              </th>
            ) : (
              <th scope="row" title="The guest's own page table: guest virtual → guest physical">
                guest PT <span className="maps">gV → gP</span>
              </th>
            )}
            {vm.pageTable.map((e) => (
              <td key={e.page} className={onWalk(e.page === page, e.present ? undefined : 'absent')} title={`page ${e.page}: ${e.flags}`}>
                {e.present ? e.frame : '·'}
              </td>
            ))}
          </tr>
        )}
        {second && (
          <tr>
            <th scope="row" title={second.title}>
              {second.name} <span className="maps">{second.by === 'frame' ? 'gP → hP' : 'gV → hP'}</span>
            </th>
            {second.entries.map((e) => (
              <td
                key={e.page}
                className={onWalk(e.page === (second.by === 'frame' ? guestFrame : page), e.hostFrame === null ? 'absent' : 'host')}
              >
                {e.hostFrame ?? '·'}
              </td>
            ))}
          </tr>
        )}
        <tr>
          <th scope="row" title="P2M: guest physical → host physical (deliberately not contiguous)">
            P2M <span className="maps">gP → hP</span>
          </th>
          {vm.p2m.map((f, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the index is the guest frame number
            <td key={i} className={onWalk(i === guestFrame, 'host')}>
              {f}
            </td>
          ))}
        </tr>
        <tr>
          <th
            scope="row"
            title={
              host
                ? `TLB as the hardware holds it: guest virtual → host physical${tag ? ` (tagged ${tag})` : ' (untagged: emptied by every VM exit and world switch on this preset)'}`
                : 'TLB: virtual → physical (frame, flags)'
            }
          >
            TLB <span className="maps">{host ? `gV → hP${tag ? ` · ${tag}` : ''}` : 'V → P'}</span>
          </th>
          {PAGES.map((p) => {
            const t = inTlb.get(p);
            return (
              <td
                key={p}
                className={onWalk(p === page, t ? 'tlb' : 'absent')}
                title={
                  t
                    ? `slot ${t.slot}: page ${p} → ${t.guestFrame !== undefined ? `host frame ${t.frame} (guest frame ${t.guestFrame})` : `frame ${t.frame}`} ${t.flags}${t.tag ? ` · ${t.tag}` : ''}`
                    : undefined
                }
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
  const bare = useApp((s) => s.snapshot?.technique === 'native');
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
              ? `${bare ? 'physical' : 'guest-physical'} ${hex(memory.focus)}`
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
        {vm && <Paging vm={vm} paging={paging} pc={pc} bare={bare} />}
        {memory ? <Code memory={memory} /> : <p className="note">Nothing loaded.</p>}
      </div>
    </section>
  );
}
