// The reference step: every instruction, every rule of isa.md, readable. This is the definition of VX
// behaviour that the fast loop (run.ts) and every technique are checked against.
import { CPUID_VENDOR, CR0_PG, INSTRUCTION_SIZE, VECTORS } from '../isa/constants';
import {
  ARITH,
  addFlags,
  condition,
  DEFINED,
  decFlags,
  IF,
  incFlags,
  mulFlags,
  mulHigh,
  negFlags,
  shifted,
  shiftFlags,
  subFlags,
  ZSO,
  zs,
} from './alu';
import { describeInstruction, FIRST_SLOW, type Fields, fetch, OBSERVED, ROW_OF_EXEC } from './decode';
import type { SystemInstruction } from './host';
import type { Machine } from './machine';

// ---- the reference step -------------------------------------------------------------------------------

const ins: Fields = { x: 0, a: 0, b: 0, imm: 0, port: 0 };
const systemIns: { -readonly [K in keyof SystemInstruction]: SystemInstruction[K] } = {
  name: 'NOP',
  a: 0,
  b: 0,
  imm: 0,
  port: 0,
  src: 0,
  immediate: false,
  units: 0,
};

/**
 * Executes exactly one instruction (or delivers the fault it raises). The caller has already taken
 * pending interrupts. This is the definition of VX behaviour that everything else is checked against.
 */
export function step(m: Machine): void {
  if (m.state !== 'running' || m.waiting) return;
  if (!fetch(m, ins)) return;
  const observed = (ins.x & OBSERVED) !== 0;
  ins.x &= ~OBSERVED;
  if (m.trace && m.events)
    m.emit({ vm: m.vm, pc: m.pc >>> 0, time: m.now(), kind: 'instruction', text: describeInstruction(ins), cpl: m.cpl });
  if (ins.x === 0) {
    m.raise(VECTORS.UD, 0);
    return;
  }
  const row = ROW_OF_EXEC[ins.x];
  if (row.privileged[m.variant] && m.cpl > 0) {
    m.raise(VECTORS.GP, 0);
    return;
  }
  const r = m.r;
  const { a, b, imm } = ins;
  const src = ins.x & 1 ? imm : r[b];
  if (m.host && (ins.x >= FIRST_SLOW || observed)) {
    // One reusable record (no allocation per system instruction): the hypervisor copies what it keeps.
    const info = systemIns;
    info.name = row.name;
    info.a = a;
    info.b = b;
    info.imm = imm;
    info.port = ins.port;
    info.src = src;
    info.immediate = (ins.x & 1) === 1;
    info.units = row.cycles;
    if (observed) m.host.observe?.(m, row.name, info);
    if (ins.x >= FIRST_SLOW && m.host.system(m, info)) return;
  }
  const hosted = m.host !== null;
  const next = (m.pc + INSTRUCTION_SIZE) | 0;
  const f = m.flags;
  switch (row.name) {
    case 'MOV':
      r[a] = src;
      break;
    case 'LOAD':
    case 'LOADB': {
      const v = m.read((r[b] + imm) | 0, row.name === 'LOAD' ? 4 : 1);
      if (v === undefined) return;
      r[a] = v;
      break;
    }
    case 'STORE':
    case 'STOREB':
      if (!m.write((r[b] + imm) | 0, r[a], row.name === 'STORE' ? 4 : 1)) return;
      break;
    case 'PUSH':
      if (!m.write((r[7] - 4) | 0, src, 4)) return;
      r[7] = (r[7] - 4) | 0;
      break;
    case 'POP': {
      const v = m.read(r[7], 4);
      if (v === undefined) return;
      r[a] = v;
      r[7] = (r[7] + 4) | 0; // isa.md's order: r ← mem32[SP], then SP ← SP + 4 (so POP SP adds 4)
      break;
    }
    case 'ADD':
    case 'SUB':
    case 'CMP': {
      const x = r[a];
      const v = row.name === 'ADD' ? (x + src) | 0 : (x - src) | 0;
      m.flags = (f & ~ARITH) | (row.name === 'ADD' ? addFlags(x, src, v) : subFlags(x, src, v));
      if (row.name !== 'CMP') r[a] = v;
      break;
    }
    case 'INC':
      r[a] = (r[a] + 1) | 0;
      m.flags = (f & ~ZSO) | incFlags(r[a]);
      break;
    case 'DEC':
      r[a] = (r[a] - 1) | 0;
      m.flags = (f & ~ZSO) | decFlags(r[a]);
      break;
    case 'NEG': {
      const x = r[a];
      r[a] = -x | 0;
      m.flags = (f & ~ARITH) | negFlags(x, r[a]);
      break;
    }
    case 'MUL': {
      const hi = mulHigh(r[a], src);
      r[a] = Math.imul(r[a], src);
      m.flags = (f & ~ARITH) | mulFlags(r[a], hi);
      break;
    }
    case 'DIV':
    case 'MOD':
      if (src === 0) {
        m.raise(VECTORS.DE, 0);
        return;
      }
      r[a] = row.name === 'DIV' ? ((r[a] >>> 0) / (src >>> 0)) | 0 : ((r[a] >>> 0) % (src >>> 0)) | 0;
      m.flags = (f & ~ARITH) | zs(r[a]);
      break;
    case 'AND':
    case 'OR':
    case 'XOR':
    case 'TEST': {
      const x = r[a];
      const v = row.name === 'OR' ? x | src : row.name === 'XOR' ? x ^ src : x & src;
      m.flags = (f & ~ARITH) | zs(v);
      if (row.name !== 'TEST') r[a] = v;
      break;
    }
    case 'NOT':
      r[a] = ~r[a];
      break;
    case 'SHL':
    case 'SHR':
    case 'SAR': {
      const kind = row.name === 'SHL' ? 0 : row.name === 'SHR' ? 1 : 2;
      const v = shifted(kind, r[a], src);
      m.flags = shiftFlags(kind, r[a], src, v, f);
      r[a] = v;
      break;
    }
    case 'JMP':
      m.pc = src;
      m.retire(row.cycles);
      return;
    case 'CALL':
      if (!m.write((r[7] - 4) | 0, next, 4)) return;
      r[7] = (r[7] - 4) | 0;
      m.pc = src;
      m.retire(row.cycles);
      return;
    case 'RET': {
      const v = m.read(r[7], 4);
      if (v === undefined) return;
      r[7] = (r[7] + 4) | 0;
      m.pc = v;
      m.retire(row.cycles);
      return;
    }
    case 'NOP':
      break;
    case 'INT':
      m.retire(row.cycles);
      m.deliver(imm, next, 'software');
      return;
    case 'IRET':
      if (!m.popInterruptFrame()) return;
      if (!hosted) m.meter.counts.iret++;
      m.retire(row.cycles);
      return;
    case 'CLI':
      m.flags = f & ~IF;
      break;
    case 'STI':
      if (!(f & IF)) m.stiShadow = true;
      m.flags = f | IF;
      break;
    case 'HLT':
      m.pc = next;
      m.retire(row.cycles);
      if (f & IF) m.waiting = true;
      else m.setState('halted', 'HLT with IF = 0');
      return;
    case 'IN':
    case 'OUT':
      if (!hosted) m.meter.counts.portIo++;
      m.completeIo(row.name === 'IN', a, row.name === 'IN' ? imm : ins.port, src, row.cycles);
      return;
    case 'LIDT':
      m.idtr = src;
      break;
    case 'MOV TO CR':
      if (a === 0) {
        const old = m.cr0;
        m.cr0 = r[b] & CR0_PG;
        if (old !== m.cr0) m.flushTlb('paging turned on or off');
      } else if (a === 2) m.cr2 = r[b];
      else {
        m.cr3 = r[b];
        m.flushTlb('CR3 written');
      }
      break;
    case 'MOV FROM CR':
      r[a] = b === 0 ? m.cr0 : b === 2 ? m.cr2 : m.cr3;
      break;
    case 'MOV TO KSP':
      m.ksp = r[b];
      break;
    case 'MOV FROM KSP':
      r[a] = m.ksp;
      break;
    case 'INVLPG':
      m.invalidatePage(r[a]); // INVLPG r: the register is in A (encoding.ts)
      break;
    case 'PUSHF':
      if (!m.write((r[7] - 4) | 0, f & DEFINED, 4)) return;
      r[7] = (r[7] - 4) | 0;
      break;
    case 'POPF': {
      const v = m.read(r[7], 4);
      if (v === undefined) return;
      r[7] = (r[7] + 4) | 0;
      // At CPL > 0 on classic, IF is silently kept: the POPF problem.
      m.flags = m.cpl === 0 ? v & DEFINED : (v & ARITH) | (f & IF);
      break;
    }
    case 'SMSW':
      r[a] = (m.cr0 & CR0_PG) | m.cpl;
      break;
    case 'SIDT':
      r[a] = m.idtr;
      break;
    case 'CPUID':
      // The CPU this code sees: bare metal's (VMX available, no hypervisor), or a VM's virtual CPU as its
      // hypervisor presents it (hypervisor-present bit set, no VMX: VirtLab offers no nested virtualization).
      r[0] = CPUID_VENDOR;
      r[1] = m.cpuidFeatures;
      break;
    case 'VMCALL':
      // Bare metal offers no hypercall interface.
      m.raise(VECTORS.UD, 0);
      return;
    default:
      if (row.group === 'control') {
        // The conditional jumps: JZ … JBE.
        m.pc = condition(row.name, f) ? src : next;
        m.retire(row.cycles);
        return;
      }
      m.raise(VECTORS.UD, 0);
      return;
  }
  m.pc = next;
  m.retire(row.cycles);
}
