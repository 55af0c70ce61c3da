// The fast loop: pre-decoded instructions, locals in registers, for the common cases; everything
// else (faults, TLB misses, system instructions, tracing) goes to the reference step (step.ts).
import { ARITH, addFlags, CF, decFlags, IF, incFlags, mulFlags, mulHigh, negFlags, OF, SF, shift, subFlags, ZF, ZSO, zs } from './alu';
import { FIRST_SLOW, U, W } from './decode';
import { CODE_CHUNK_SHIFT, CR0_PG, type Machine, type RunStop } from './machine';
import { step } from './step';

// ---- the fast loop ----------------------------------------------------------------------------------

/** Physical address for a fast-path access of `size` bytes, or -1: let the reference step handle it. */
function fastPa(tlb: Int32Array, watch: Uint8Array, va: number, size: number, write: boolean, pg: boolean, cpl: number): number {
  const u = va >>> 0;
  if (u > 0x10000 - size) return -1;
  // A watched page (a write-protected page table, or a page logged dirty by a migration: machine.ts `watch`)
  // sends stores to the reference step, with or without paging.
  if (!pg) return write && watch[u >>> 12] !== 0 ? -1 : u;
  if ((u & 0xfff) > 0x1000 - size) return -1;
  const e = tlb[u >>> 12];
  if (e < 0) return -1;
  if (cpl === 3 && (!(e & U) || (write && !(e & W)))) return -1;
  if (write && watch[e >>> 12] !== 0) return -1;
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
    if (m.stiShadow) {
      // The instruction after STI runs before any interrupt is taken (`STI; HLT`, `STI; CLI` as on x86).
      step(m);
      m.stiShadow = false;
      left--;
      continue;
    }
    if (m.irqPending && m.flags & IF) {
      m.takeInterrupt();
      continue;
    }
    if (m.waiting) {
      if (m.yieldWhenWaiting && m.timerNext >= 0) return 'blocked';
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
      if (upc >>> 12 === codePage && (upc & 0xfff) <= 0xff8) {
        // Still on the code page translated last: the TLB cannot have changed inside this chunk.
        pa = codeBase | (upc & 0xfff);
      } else if (!pg) {
        if (upc > 0xfff8) {
          slow = true;
          break;
        }
        pa = upc;
        codePage = upc >>> 12;
        codeBase = upc & 0xf000;
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
