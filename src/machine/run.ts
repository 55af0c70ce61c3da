// The fast loop: pre-decoded instructions, locals in registers, for the common cases; everything
// else (faults, TLB misses, system instructions, tracing) goes to the reference step (step.ts).
// The numbers on the hot path are literals that name their constant (`case 16 /* X_ADD */:`,
// `0xfff /* PAGE_OFFSET_MASK */`): scripts/gen-opcodes.mjs writes them from the ISA table and
// src/isa/constants.ts, and a test fails when one is stale. An imported constant would be a load
// (and a switch on identifiers no jump table) under tsx, Vitest and an unminified bundle.
import { CR0_PG } from '../isa/constants';
import { ARITH, addFlags, CF, decFlags, IF, incFlags, mulFlags, mulHigh, negFlags, OF, SF, subFlags, ZF, ZSO, zs } from './alu';
import { CHUNK_SHIFT, CODE_CHUNK_SHIFT, type Machine, type RunStop } from './machine';
import { step } from './step';

// ---- the fast loop ----------------------------------------------------------------------------------

/** Physical address for a fast-path access of `size` bytes, or -1: let the reference step handle it. */
function fastPa(tlb: Int32Array, watch: Uint8Array, va: number, size: number, write: boolean, pg: boolean, cpl: number): number {
  const u = va >>> 0;
  if (u > 0x10000 /* MEMORY_SIZE */ - size) return -1;
  // A watched page (a write-protected page table, or a page logged dirty by a migration: machine.ts `watch`)
  // sends stores to the reference step, with or without paging.
  if (!pg) return write && watch[u >>> 12 /* PAGE_SHIFT */] !== 0 ? -1 : u;
  if ((u & 0xfff) /* PAGE_OFFSET_MASK */ > 0x1000 /* PAGE_SIZE */ - size) return -1;
  const e = tlb[u >>> 12 /* PAGE_SHIFT */];
  if (e < 0) return -1;
  if (cpl === 3 && (!((e & 4) /* PTE_U */) || (write && !((e & 2) /* PTE_W */)))) return -1;
  if (write && watch[e >>> 12 /* PAGE_SHIFT */] !== 0) return -1;
  return (e & 0xf000) /* PTE_FRAME_MASK */ | (u & 0xfff) /* PAGE_OFFSET_MASK */;
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
  m.dirty[p >> CHUNK_SHIFT] = 1;
  m.dirty[(p + 3) >> CHUNK_SHIFT] = 1;
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
  const dImm = m.dImm;
  const tlb = m.tlbMap;
  const watch = m.watch;
  // Under a hypervisor a store into decoded code goes to the reference step, so that the host sees
  // it with the machine's PC up to date (binary translation's trace fault names the store).
  const code = m.host !== null ? m.codeChunks : null;
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
    if (m.eventPending) {
      m.eventPending = false;
      m.host?.upcall?.(m);
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
    if (bp !== null && !first && m.pc >>> 0 < 0x10000 /* MEMORY_SIZE */ && bp[m.pc] === 1) return 'breakpoint';
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
      if (bp !== null && n > 0 && pc >>> 0 < 0x10000 /* MEMORY_SIZE */ && bp[pc] === 1) break;
      const upc = pc >>> 0;
      let pa: number;
      if (upc >>> 12 /* PAGE_SHIFT */ === codePage && (upc & 0xfff) /* PAGE_OFFSET_MASK */ <= 0xff8 /* LAST_INSTRUCTION_OFFSET */) {
        // Still on the code page translated last: the TLB cannot have changed inside this chunk.
        pa = codeBase | (upc & 0xfff) /* PAGE_OFFSET_MASK */;
      } else if (!pg) {
        if (upc > 0xfff8 /* LAST_INSTRUCTION_ADDRESS */) {
          slow = true;
          break;
        }
        pa = upc;
        codePage = upc >>> 12 /* PAGE_SHIFT */;
        codeBase = upc & 0xf000 /* PTE_FRAME_MASK */;
      } else {
        const e =
          upc > 0xfff8 /* LAST_INSTRUCTION_ADDRESS */ || (upc & 0xfff) /* PAGE_OFFSET_MASK */ > 0xff8 /* LAST_INSTRUCTION_OFFSET */
            ? -1
            : tlb[upc >>> 12 /* PAGE_SHIFT */];
        if (e < 0 || (cpl === 3 && !((e & 4) /* PTE_U */))) {
          slow = true;
          break;
        }
        codePage = upc >>> 12 /* PAGE_SHIFT */;
        codeBase = e & 0xf000 /* PTE_FRAME_MASK */;
        pa = codeBase | (upc & 0xfff) /* PAGE_OFFSET_MASK */;
      }
      // Not decoded (-1), undefined (#UD, 0), observed by the host (OBSERVED) and the system instructions
      // (decode.ts FIRST_SLOW on) all fall to `default`: the reference step runs them.
      const d = xop[pa];
      const x = d & 0xffff /* DECODED_EXEC_MASK */;
      const regs = d >>> 16 /* DECODED_A_SHIFT */;
      const ra = regs & 0xf /* DECODED_REG_MASK */;
      const imm = dImm[pa];
      const s = x & 1 ? imm : r[d >>> 20 /* DECODED_B_SHIFT */];
      switch (x) {
        case 2 /* X_MOV */:
        case 3 /* X_MOV_IMM */:
          r[ra] = s;
          break;
        case 4 /* X_LOAD */:
          {
            const p = fastPa(tlb, watch, (r[d >>> 20 /* DECODED_B_SHIFT */] + imm) | 0, 4, false, pg, cpl);
            if (p < 0) {
              slow = true;
              break;
            }
            r[ra] = load32(mem, p);
            break;
          }
        case 8 /* X_LOADB */:
          {
            const p = fastPa(tlb, watch, (r[d >>> 20 /* DECODED_B_SHIFT */] + imm) | 0, 1, false, pg, cpl);
            if (p < 0) {
              slow = true;
              break;
            }
            r[ra] = mem[p];
            break;
          }
        case 6 /* X_STORE */:
          {
            const p = fastPa(tlb, watch, (r[d >>> 20 /* DECODED_B_SHIFT */] + imm) | 0, 4, true, pg, cpl);
            if (p < 0) {
              slow = true;
              break;
            }
            if (code !== null && (code[p >> CODE_CHUNK_SHIFT] | code[(p + 3) >> CODE_CHUNK_SHIFT]) !== 0) {
              slow = true;
              break;
            }
            store32(m, p, r[ra]);
            break;
          }
        case 10 /* X_STOREB */:
          {
            const p = fastPa(tlb, watch, (r[d >>> 20 /* DECODED_B_SHIFT */] + imm) | 0, 1, true, pg, cpl);
            if (p < 0) {
              slow = true;
              break;
            }
            if (code !== null && code[p >> CODE_CHUNK_SHIFT] !== 0) {
              slow = true;
              break;
            }
            mem[p] = r[ra];
            m.dirty[p >> CHUNK_SHIFT] = 1;
            if (m.codeChunks[p >> CODE_CHUNK_SHIFT]) m.invalidateCode(p);
            break;
          }
        case 12 /* X_PUSH */:
        case 13 /* X_PUSH_IMM */:
          {
            const p = fastPa(tlb, watch, (r[7] - 4) | 0, 4, true, pg, cpl);
            if (p < 0) {
              slow = true;
              break;
            }
            if (code !== null && (code[p >> CODE_CHUNK_SHIFT] | code[(p + 3) >> CODE_CHUNK_SHIFT]) !== 0) {
              slow = true;
              break;
            }
            store32(m, p, s);
            r[7] = (r[7] - 4) | 0;
            break;
          }
        case 14 /* X_POP */:
          {
            const p = fastPa(tlb, watch, r[7], 4, false, pg, cpl);
            if (p < 0) {
              slow = true;
              break;
            }
            r[ra] = load32(mem, p);
            r[7] = (r[7] + 4) | 0;
            break;
          }
        case 16 /* X_ADD */:
        case 17 /* X_ADD_IMM */:
          {
            const v = r[ra];
            const res = (v + s) | 0;
            f = (f & ~ARITH) | addFlags(v, s, res);
            r[ra] = res;
            break;
          }
        case 18 /* X_SUB */:
        case 19 /* X_SUB_IMM */:
          {
            const v = r[ra];
            const res = (v - s) | 0;
            f = (f & ~ARITH) | subFlags(v, s, res);
            r[ra] = res;
            break;
          }
        case 20 /* X_CMP */:
        case 21 /* X_CMP_IMM */:
          {
            const v = r[ra];
            f = (f & ~ARITH) | subFlags(v, s, (v - s) | 0);
            break;
          }
        case 22 /* X_INC */:
          r[ra] = (r[ra] + 1) | 0;
          f = (f & ~ZSO) | incFlags(r[ra]);
          break;
        case 24 /* X_DEC */:
          r[ra] = (r[ra] - 1) | 0;
          f = (f & ~ZSO) | decFlags(r[ra]);
          break;
        case 26 /* X_NEG */:
          {
            const v = r[ra];
            r[ra] = -v | 0;
            f = (f & ~ARITH) | negFlags(v, r[ra]);
            break;
          }
        case 28 /* X_MUL */:
        case 29 /* X_MUL_IMM */:
          {
            const hi = mulHigh(r[ra], s);
            r[ra] = Math.imul(r[ra], s);
            f = (f & ~ARITH) | mulFlags(r[ra], hi);
            extra += 3 /* CYCLES_MUL */ - 1;
            break;
          }
        case 30 /* X_DIV */:
        case 31 /* X_DIV_IMM */:
          if (s === 0) {
            slow = true; // #DE
            break;
          }
          r[ra] = ((r[ra] >>> 0) / (s >>> 0)) | 0;
          f = (f & ~ARITH) | zs(r[ra]);
          extra += 20 /* CYCLES_DIV */ - 1;
          break;
        case 32 /* X_MOD */:
        case 33 /* X_MOD_IMM */:
          if (s === 0) {
            slow = true; // #DE
            break;
          }
          r[ra] = ((r[ra] >>> 0) % (s >>> 0)) | 0;
          f = (f & ~ARITH) | zs(r[ra]);
          extra += 20 /* CYCLES_MOD */ - 1;
          break;
        case 34 /* X_AND */:
        case 35 /* X_AND_IMM */:
          r[ra] &= s;
          f = (f & ~ARITH) | zs(r[ra]);
          break;
        case 36 /* X_OR */:
        case 37 /* X_OR_IMM */:
          r[ra] |= s;
          f = (f & ~ARITH) | zs(r[ra]);
          break;
        case 38 /* X_XOR */:
        case 39 /* X_XOR_IMM */:
          r[ra] ^= s;
          f = (f & ~ARITH) | zs(r[ra]);
          break;
        case 40 /* X_TEST */:
        case 41 /* X_TEST_IMM */:
          f = (f & ~ARITH) | zs(r[ra] & s);
          break;
        case 42 /* X_NOT */:
          r[ra] = ~r[ra];
          break;
        case 44 /* X_SHL */:
        case 45 /* X_SHL_IMM */:
          {
            // alu.ts's shifted/shiftFlags, written out: the loop is too long for V8 to inline every call.
            const a = r[ra];
            const c = s & 31;
            if (c === 0) f = (f & ~ARITH) | zs(a) | (f & CF);
            else {
              const v = a << c;
              f = (f & ~ARITH) | zs(v) | ((a >>> (32 - c)) & 1);
              r[ra] = v;
            }
            break;
          }
        case 46 /* X_SHR */:
        case 47 /* X_SHR_IMM */:
          {
            // alu.ts's shifted/shiftFlags, written out: the loop is too long for V8 to inline every call.
            const a = r[ra];
            const c = s & 31;
            if (c === 0) f = (f & ~ARITH) | zs(a) | (f & CF);
            else {
              const v = (a >>> c) | 0;
              f = (f & ~ARITH) | zs(v) | ((a >>> (c - 1)) & 1);
              r[ra] = v;
            }
            break;
          }
        case 48 /* X_SAR */:
        case 49 /* X_SAR_IMM */:
          {
            // alu.ts's shifted/shiftFlags, written out: the loop is too long for V8 to inline every call.
            const a = r[ra];
            const c = s & 31;
            if (c === 0) f = (f & ~ARITH) | zs(a) | (f & CF);
            else {
              const v = a >> c;
              f = (f & ~ARITH) | zs(v) | ((a >> (c - 1)) & 1);
              r[ra] = v;
            }
            break;
          }
        case 50 /* X_JMP */:
        case 51 /* X_JMP_IMM */:
          pc = s;
          n++;
          continue;
        case 52 /* X_JZ */:
        case 53 /* X_JZ_IMM */:
          pc = f & ZF ? s : (pc + 8) /* INSTRUCTION_SIZE */ | 0;
          n++;
          continue;
        case 54 /* X_JNZ */:
        case 55 /* X_JNZ_IMM */:
          pc = f & ZF ? (pc + 8) /* INSTRUCTION_SIZE */ | 0 : s;
          n++;
          continue;
        case 56 /* X_JC */:
        case 57 /* X_JC_IMM */:
          pc = f & CF ? s : (pc + 8) /* INSTRUCTION_SIZE */ | 0;
          n++;
          continue;
        case 58 /* X_JNC */:
        case 59 /* X_JNC_IMM */:
          pc = f & CF ? (pc + 8) /* INSTRUCTION_SIZE */ | 0 : s;
          n++;
          continue;
        case 60 /* X_JS */:
        case 61 /* X_JS_IMM */:
          pc = f & SF ? s : (pc + 8) /* INSTRUCTION_SIZE */ | 0;
          n++;
          continue;
        case 62 /* X_JNS */:
        case 63 /* X_JNS_IMM */:
          pc = f & SF ? (pc + 8) /* INSTRUCTION_SIZE */ | 0 : s;
          n++;
          continue;
        case 64 /* X_JL */:
        case 65 /* X_JL_IMM */:
          pc = !(f & SF) !== !(f & OF) ? s : (pc + 8) /* INSTRUCTION_SIZE */ | 0;
          n++;
          continue;
        case 66 /* X_JGE */:
        case 67 /* X_JGE_IMM */:
          pc = !(f & SF) === !(f & OF) ? s : (pc + 8) /* INSTRUCTION_SIZE */ | 0;
          n++;
          continue;
        case 68 /* X_JLE */:
        case 69 /* X_JLE_IMM */:
          pc = f & ZF || !(f & SF) !== !(f & OF) ? s : (pc + 8) /* INSTRUCTION_SIZE */ | 0;
          n++;
          continue;
        case 70 /* X_JG */:
        case 71 /* X_JG_IMM */:
          pc = !(f & ZF) && !(f & SF) === !(f & OF) ? s : (pc + 8) /* INSTRUCTION_SIZE */ | 0;
          n++;
          continue;
        case 72 /* X_JA */:
        case 73 /* X_JA_IMM */:
          pc = !(f & CF) && !(f & ZF) ? s : (pc + 8) /* INSTRUCTION_SIZE */ | 0;
          n++;
          continue;
        case 74 /* X_JBE */:
        case 75 /* X_JBE_IMM */:
          pc = f & (CF | ZF) ? s : (pc + 8) /* INSTRUCTION_SIZE */ | 0;
          n++;
          continue;
        case 76 /* X_CALL */:
        case 77 /* X_CALL_IMM */:
          {
            const p = fastPa(tlb, watch, (r[7] - 4) | 0, 4, true, pg, cpl);
            if (p < 0) {
              slow = true;
              break;
            }
            if (code !== null && (code[p >> CODE_CHUNK_SHIFT] | code[(p + 3) >> CODE_CHUNK_SHIFT]) !== 0) {
              slow = true;
              break;
            }
            store32(m, p, (pc + 8) /* INSTRUCTION_SIZE */ | 0);
            r[7] = (r[7] - 4) | 0;
            pc = s;
            n++;
            continue;
          }
        case 78 /* X_RET */:
          {
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
        case 80 /* X_NOP */:
          break;
        default:
          slow = true;
      }
      if (slow) break;
      pc = (pc + 8) /* INSTRUCTION_SIZE */ | 0;
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
