// Executing VX: `step` is the reference interpreter (every instruction, every rule of isa.md, readable);
// `run` is a fast loop over pre-decoded instructions for the common cases that hands everything else
// (faults, TLB misses, system instructions, tracing) to `step`. A property test checks they agree.

import { formatInstruction } from '../isa/disassembler';
import { decode } from '../isa/encoding';
import { ISA, MODE_BASE, MODE_IMM, PORTS } from '../isa/table';
import {
  ARITH,
  addFlags,
  CF,
  condition,
  DEFINED,
  decFlags,
  IF,
  incFlags,
  mulFlags,
  mulHigh,
  negFlags,
  OF,
  SF,
  shift,
  subFlags,
  ZF,
  ZSO,
  zs,
} from './alu';
import { CODE_CHUNK_SHIFT, CR0_PG, type Machine, type RunStop } from './machine';

/**
 * Exec codes: the machine's own dispatch numbers, by ISA row name. Decoded instructions are cached as
 * `code * 2 + (source is an immediate ? 1 : 0)`; the fast loop's `case` labels are those numbers.
 */
export const EXEC: Readonly<Record<string, number>> = {
  MOV: 1,
  LOAD: 2,
  STORE: 3,
  LOADB: 4,
  STOREB: 5,
  PUSH: 6,
  POP: 7,
  ADD: 8,
  SUB: 9,
  CMP: 10,
  INC: 11,
  DEC: 12,
  NEG: 13,
  MUL: 14,
  DIV: 15,
  MOD: 16,
  AND: 17,
  OR: 18,
  XOR: 19,
  TEST: 20,
  NOT: 21,
  SHL: 22,
  SHR: 23,
  SAR: 24,
  JMP: 25,
  JZ: 26,
  JNZ: 27,
  JC: 28,
  JNC: 29,
  JS: 30,
  JNS: 31,
  JL: 32,
  JGE: 33,
  JLE: 34,
  JG: 35,
  JA: 36,
  JBE: 37,
  CALL: 38,
  RET: 39,
  NOP: 40,
  INT: 41,
  IRET: 42,
  CLI: 43,
  STI: 44,
  HLT: 45,
  IN: 46,
  OUT: 47,
  LIDT: 48,
  'MOV TO CR': 49,
  'MOV FROM CR': 50,
  'MOV TO KSP': 51,
  'MOV FROM KSP': 52,
  INVLPG: 53,
  PUSHF: 54,
  POPF: 55,
  SMSW: 56,
  SIDT: 57,
  VMCALL: 58,
};
/** Exec codes from here on are system instructions: always the reference step. */
const FIRST_SLOW = EXEC.INT * 2;
/** Added to an exec code when the host asked to observe the instruction: the fast loop hands it over. */
const OBSERVED = 0x1000;
const ROW_OF_EXEC = (() => {
  const t = new Array(128);
  for (const row of ISA) t[EXEC[row.name]] = row;
  return t as (typeof ISA)[number][];
})();

const U = 4;
const W = 2;

// ---- decoding ---------------------------------------------------------------------------------------

interface Fields {
  x: number;
  a: number;
  b: number;
  imm: number;
  port: number;
}

/** Decodes 8 bytes into exec fields; x = 0 for an undefined instruction (#UD). */
function decodeFields(bytes: Uint8Array, offset: number, out: Fields): void {
  const d = decode(bytes, offset);
  if (!d) {
    out.x = 0;
    return;
  }
  const usesBase = d.row.operands.includes('m');
  out.x = EXEC[d.row.name] * 2 + (d.mode & MODE_IMM ? 1 : 0);
  out.a = d.a;
  out.b = usesBase && !(d.mode & MODE_BASE) ? 8 : d.b;
  out.imm = d.imm;
  out.port = d.port;
}

const scratch: Fields = { x: 0, a: 0, b: 0, imm: 0, port: 0 };

/** Fills the decode cache at physical address pa (the 8 bytes lie in one page). */
function decodeAt(m: Machine, pa: number): void {
  decodeFields(m.mem, pa, scratch);
  m.xop[pa] = scratch.x;
  m.dA[pa] = scratch.a;
  m.dB[pa] = scratch.b;
  m.dImm[pa] = scratch.imm;
  m.dPort[pa] = scratch.port;
  m.codeChunks[pa >> CODE_CHUNK_SHIFT] = 1;
  m.codeChunks[(pa + 7) >> CODE_CHUNK_SHIFT] = 1;
  if (scratch.x !== 0 && m.host?.decoded?.(m, pa, ROW_OF_EXEC[scratch.x >> 1].name, (scratch.x & 1) === 1))
    m.xop[pa] = scratch.x | OBSERVED;
}

/**
 * Fetches and decodes the instruction at PC into `out`. False after a fault (#GP beyond memory, #PF).
 * An instruction that straddles two pages is translated page by page and not cached.
 */
function fetch(m: Machine, out: Fields): boolean {
  const pc = m.pc;
  const p0 = m.phys(pc, 'fetch', m.cpl);
  if (p0 < 0) return false;
  const p7 = m.phys((pc + 7) | 0, 'fetch', m.cpl);
  if (p7 < 0) return false;
  if (p7 === p0 + 7) {
    if (m.xop[p0] < 0) decodeAt(m, p0);
    out.x = m.xop[p0];
    out.a = m.dA[p0];
    out.b = m.dB[p0];
    out.imm = m.dImm[p0];
    out.port = m.dPort[p0];
    return true;
  }
  const bytes = new Uint8Array(8);
  for (let i = 0; i < 8; i++) {
    const p = m.phys((pc + i) | 0, 'fetch', m.cpl);
    if (p < 0) return false;
    bytes[i] = m.mem[p];
  }
  decodeFields(bytes, 0, out);
  return true;
}

/** The instruction at PC as text (for `instruction` events and the disassembly view). */
export function describeInstruction(f: Fields): string {
  if (f.x === 0) return '(undefined instruction)';
  const row = ROW_OF_EXEC[f.x >> 1];
  const d = {
    row,
    a: f.a,
    b: f.b === 8 ? 0 : f.b,
    mode: (f.x & 1 ? MODE_IMM : 0) | (row.operands.includes('m') && f.b !== 8 ? MODE_BASE : 0),
    imm: f.imm,
    port: f.port,
  };
  return formatInstruction(d);
}

// ---- the reference step -------------------------------------------------------------------------------

const ins: Fields = { x: 0, a: 0, b: 0, imm: 0, port: 0 };

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
    m.raise(6, 0);
    return;
  }
  const row = ROW_OF_EXEC[ins.x >> 1];
  if (row.privileged[m.variant] && m.cpl > 0) {
    m.raise(13, 0);
    return;
  }
  const r = m.r;
  const { a, b, imm } = ins;
  const src = ins.x & 1 ? imm : r[b];
  if (m.host && (ins.x >= FIRST_SLOW || observed)) {
    const info = { name: row.name, a, b, imm, port: ins.port, src, immediate: (ins.x & 1) === 1, units: row.cycles };
    if (observed) m.host.observe?.(m, row.name, info);
    if (ins.x >= FIRST_SLOW && m.host.system(m, info)) return;
  }
  const hosted = m.host !== null;
  const next = (m.pc + 8) | 0;
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
        m.raise(0, 0);
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
      const s = shift(row.name === 'SHL' ? 0 : row.name === 'SHR' ? 1 : 2, r[a], src, f);
      r[a] = s.r;
      m.flags = s.f;
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
    case 'IRET': {
      const sp = r[7];
      const vals: number[] = [];
      for (let i = 0; i < 4; i++) {
        const v = m.read((sp + 4 * i) | 0, 4);
        if (v === undefined) return;
        vals.push(v);
      }
      if (!hosted) m.meter.counts.iret++;
      m.pc = vals[0];
      m.flags = vals[1] & DEFINED;
      m.cpl = vals[2] & 3;
      r[7] = vals[3];
      m.retire(row.cycles);
      return;
    }
    case 'CLI':
      m.flags = f & ~IF;
      break;
    case 'STI':
      m.flags = f | IF;
      break;
    case 'HLT':
      m.pc = next;
      m.retire(row.cycles);
      if (f & IF) m.waiting = true;
      else m.setState('halted', 'HLT with IF = 0');
      return;
    case 'IN':
      if (!hosted) m.meter.counts.portIo++;
      r[a] = m.portIn(imm);
      break;
    case 'OUT':
      if (!hosted) m.meter.counts.portIo++;
      m.portOut(ins.port, src);
      if (ins.port === PORTS.POWER_OFF) {
        m.pc = next;
        m.retire(row.cycles);
        m.setState('powered-off');
        return;
      }
      break;
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
      m.invalidatePage(r[b]);
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
    case 'VMCALL':
      // Bare metal offers no hypercall interface.
      m.raise(6, 0);
      return;
    default:
      if (row.group === 'control') {
        // The conditional jumps: JZ … JBE.
        m.pc = condition(row.name, f) ? src : next;
        m.retire(row.cycles);
        return;
      }
      m.raise(6, 0);
      return;
  }
  m.pc = next;
  m.retire(row.cycles);
}

// ---- the fast loop ----------------------------------------------------------------------------------

/** Physical address for a fast-path access of `size` bytes, or -1: let the reference step handle it. */
function fastPa(tlb: Int32Array, watch: Uint8Array, va: number, size: number, write: boolean, pg: boolean, cpl: number): number {
  const u = va >>> 0;
  if (u > 0x10000 - size) return -1;
  if (!pg) return u;
  if ((u & 0xfff) > 0x1000 - size) return -1;
  const e = tlb[u >>> 12];
  if (e < 0) return -1;
  if (cpl === 3 && (!(e & U) || (write && !(e & W)))) return -1;
  if (write && watch[e >>> 12] === 1) return -1;
  return (e & 0xf000) | (u & 0xfff);
}

function load32(mem: Uint8Array, p: number): number {
  return mem[p] | (mem[p + 1] << 8) | (mem[p + 2] << 16) | (mem[p + 3] << 24);
}

function store32(m: Machine, p: number, v: number): void {
  const mem = m.mem;
  mem[p] = v;
  mem[p + 1] = v >>> 8;
  mem[p + 2] = v >>> 16;
  mem[p + 3] = v >>> 24;
  m.dirty[p >> 10] = 1;
  m.dirty[(p + 3) >> 10] = 1;
  if (m.codeChunks[p >> CODE_CHUNK_SHIFT] | m.codeChunks[(p + 3) >> CODE_CHUNK_SHIFT]) {
    for (let i = 0; i < 4; i++) m.invalidateCode(p + i);
  }
}

function stopOf(m: Machine): RunStop {
  return m.state === 'running' ? 'budget' : m.state;
}

/**
 * Runs up to `budget` instructions (each executed or faulting instruction counts one) and stops early
 * at halt, power-off, crash or a breakpoint. A breakpoint at the PC the run starts from is passed over,
 * so that Run continues from a breakpoint.
 */
export function run(m: Machine, budget: number): RunStop {
  let left = budget;
  let first = true;
  const r = m.r;
  const mem = m.mem;
  const xop = m.xop;
  const dA = m.dA;
  const dB = m.dB;
  const dImm = m.dImm;
  const tlb = m.tlbMap;
  const watch = m.watch;
  const meter = m.meter.counts;
  while (left > 0) {
    if (m.state !== 'running') return stopOf(m);
    if (m.irqPending && m.flags & IF) {
      m.takeInterrupt();
      continue;
    }
    if (m.waiting) {
      if (m.timerNext < 0) {
        m.waiting = false;
        m.setState('halted', 'HLT with IF = 1 but no timer running: nothing can wake the CPU');
      } else m.tick(m.timerNext - m.ticks);
      continue;
    }
    const bp = m.breakpoints;
    if (bp !== null && !first && m.pc >>> 0 < 0x10000 && bp[m.pc] === 1) return 'breakpoint';
    first = false;
    if (m.trace) {
      step(m);
      left--;
      continue;
    }
    // The chunk ends before the timer's next tick, so that the tick is noticed between instructions.
    let chunk = left;
    if (m.timerNext >= 0 && m.timerNext - m.ticks < chunk) chunk = m.timerNext - m.ticks;
    let pc = m.pc;
    let f = m.flags;
    const cpl = m.cpl;
    const pg = m.alwaysTranslate || (m.cr0 & CR0_PG) !== 0;
    let n = 0;
    let extra = 0;
    let slow = false;
    let codePage = -1;
    let codeBase = 0;
    while (n < chunk) {
      if (bp !== null && n > 0 && bp[pc & 0xffff] === 1 && pc >>> 0 < 0x10000) break;
      const upc = pc >>> 0;
      let pa: number;
      if (!pg) {
        if (upc > 0xfff8) {
          slow = true;
          break;
        }
        pa = upc;
      } else if (upc >>> 12 === codePage && (upc & 0xfff) <= 0xff8) {
        // Still on the code page translated last: the TLB cannot have changed inside this chunk.
        pa = codeBase | (upc & 0xfff);
      } else {
        const e = upc > 0xfff8 || (upc & 0xfff) > 0xff8 ? -1 : tlb[upc >>> 12];
        if (e < 0 || (cpl === 3 && !(e & U))) {
          slow = true;
          break;
        }
        codePage = upc >>> 12;
        codeBase = e & 0xf000;
        pa = codeBase | (upc & 0xfff);
      }
      const x = xop[pa];
      if (x <= 0 || x >= FIRST_SLOW) {
        slow = true;
        break;
      }
      const ra = dA[pa];
      const imm = dImm[pa];
      const s = x & 1 ? imm : r[dB[pa]];
      switch (x) {
        case 2: // MOV
        case 3:
          r[ra] = s;
          break;
        case 4: // LOAD
        case 8: {
          // LOADB
          const p = fastPa(tlb, watch, (r[dB[pa]] + imm) | 0, x === 4 ? 4 : 1, false, pg, cpl);
          if (p < 0) {
            slow = true;
            break;
          }
          r[ra] = x === 4 ? load32(mem, p) : mem[p];
          break;
        }
        case 6: // STORE
        case 10: {
          // STOREB
          const p = fastPa(tlb, watch, (r[dB[pa]] + imm) | 0, x === 6 ? 4 : 1, true, pg, cpl);
          if (p < 0) {
            slow = true;
            break;
          }
          if (x === 6) store32(m, p, r[ra]);
          else {
            mem[p] = r[ra];
            m.dirty[p >> 10] = 1;
            if (m.codeChunks[p >> CODE_CHUNK_SHIFT]) m.invalidateCode(p);
          }
          break;
        }
        case 12: // PUSH
        case 13: {
          const p = fastPa(tlb, watch, (r[7] - 4) | 0, 4, true, pg, cpl);
          if (p < 0) {
            slow = true;
            break;
          }
          store32(m, p, s);
          r[7] = (r[7] - 4) | 0;
          break;
        }
        case 14: {
          // POP
          const p = fastPa(tlb, watch, r[7], 4, false, pg, cpl);
          if (p < 0) {
            slow = true;
            break;
          }
          r[ra] = load32(mem, p);
          r[7] = (r[7] + 4) | 0;
          break;
        }
        case 16: // ADD
        case 17: {
          const v = r[ra];
          const res = (v + s) | 0;
          f = (f & ~ARITH) | addFlags(v, s, res);
          r[ra] = res;
          break;
        }
        case 18: // SUB
        case 19:
        case 20: // CMP
        case 21: {
          const v = r[ra];
          const res = (v - s) | 0;
          f = (f & ~ARITH) | subFlags(v, s, res);
          if (x < 20) r[ra] = res;
          break;
        }
        case 22: // INC
          r[ra] = (r[ra] + 1) | 0;
          f = (f & ~ZSO) | incFlags(r[ra]);
          break;
        case 24: // DEC
          r[ra] = (r[ra] - 1) | 0;
          f = (f & ~ZSO) | decFlags(r[ra]);
          break;
        case 26: {
          // NEG
          const v = r[ra];
          r[ra] = -v | 0;
          f = (f & ~ARITH) | negFlags(v, r[ra]);
          break;
        }
        case 28: // MUL
        case 29: {
          const hi = mulHigh(r[ra], s);
          r[ra] = Math.imul(r[ra], s);
          f = (f & ~ARITH) | mulFlags(r[ra], hi);
          extra += 2;
          break;
        }
        case 30: // DIV
        case 31:
        case 32: // MOD
        case 33:
          if (s === 0) {
            slow = true; // #DE
            break;
          }
          r[ra] = x < 32 ? ((r[ra] >>> 0) / (s >>> 0)) | 0 : ((r[ra] >>> 0) % (s >>> 0)) | 0;
          f = (f & ~ARITH) | zs(r[ra]);
          extra += 19;
          break;
        case 34: // AND
        case 35:
          r[ra] &= s;
          f = (f & ~ARITH) | zs(r[ra]);
          break;
        case 36: // OR
        case 37:
          r[ra] |= s;
          f = (f & ~ARITH) | zs(r[ra]);
          break;
        case 38: // XOR
        case 39:
          r[ra] ^= s;
          f = (f & ~ARITH) | zs(r[ra]);
          break;
        case 40: // TEST
        case 41:
          f = (f & ~ARITH) | zs(r[ra] & s);
          break;
        case 42: // NOT
          r[ra] = ~r[ra];
          break;
        case 44: // SHL
        case 45:
        case 46: // SHR
        case 47:
        case 48: // SAR
        case 49: {
          const sh = shift(x < 46 ? 0 : x < 48 ? 1 : 2, r[ra], s, f);
          r[ra] = sh.r;
          f = sh.f;
          break;
        }
        case 50: // JMP
        case 51:
          pc = s;
          n++;
          continue;
        case 52: // JZ
        case 53:
          pc = f & ZF ? s : (pc + 8) | 0;
          n++;
          continue;
        case 54: // JNZ
        case 55:
          pc = f & ZF ? (pc + 8) | 0 : s;
          n++;
          continue;
        case 56: // JC
        case 57:
          pc = f & CF ? s : (pc + 8) | 0;
          n++;
          continue;
        case 58: // JNC
        case 59:
          pc = f & CF ? (pc + 8) | 0 : s;
          n++;
          continue;
        case 60: // JS
        case 61:
          pc = f & SF ? s : (pc + 8) | 0;
          n++;
          continue;
        case 62: // JNS
        case 63:
          pc = f & SF ? (pc + 8) | 0 : s;
          n++;
          continue;
        case 64: // JL
        case 65:
          pc = !(f & SF) !== !(f & OF) ? s : (pc + 8) | 0;
          n++;
          continue;
        case 66: // JGE
        case 67:
          pc = !(f & SF) === !(f & OF) ? s : (pc + 8) | 0;
          n++;
          continue;
        case 68: // JLE
        case 69:
          pc = f & ZF || !(f & SF) !== !(f & OF) ? s : (pc + 8) | 0;
          n++;
          continue;
        case 70: // JG
        case 71:
          pc = !(f & ZF) && !(f & SF) === !(f & OF) ? s : (pc + 8) | 0;
          n++;
          continue;
        case 72: // JA
        case 73:
          pc = !(f & CF) && !(f & ZF) ? s : (pc + 8) | 0;
          n++;
          continue;
        case 74: // JBE
        case 75:
          pc = f & (CF | ZF) ? s : (pc + 8) | 0;
          n++;
          continue;
        case 76: // CALL
        case 77: {
          const p = fastPa(tlb, watch, (r[7] - 4) | 0, 4, true, pg, cpl);
          if (p < 0) {
            slow = true;
            break;
          }
          store32(m, p, (pc + 8) | 0);
          r[7] = (r[7] - 4) | 0;
          pc = s;
          n++;
          continue;
        }
        case 78: {
          // RET
          const p = fastPa(tlb, watch, r[7], 4, false, pg, cpl);
          if (p < 0) {
            slow = true;
            break;
          }
          pc = load32(mem, p);
          r[7] = (r[7] + 4) | 0;
          n++;
          continue;
        }
        case 80: // NOP
          break;
        default:
          slow = true;
      }
      if (slow) break;
      pc = (pc + 8) | 0;
      n++;
    }
    m.pc = pc;
    m.flags = f;
    m.retired += n;
    meter.instruction += n + extra;
    left -= n;
    if (n > 0) m.tick(n);
    if (slow) {
      // The fast loop changed nothing for this instruction: the reference step runs it in full.
      step(m);
      left--;
    } else if (n < chunk) {
      // Stopped at a breakpoint.
      return 'breakpoint';
    }
  }
  return stopOf(m);
}
