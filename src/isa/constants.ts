// The numbers of the VX machine, each defined once (isa.md: "Memory", "Paging", "Registers and state").
// The ISA table, the machine, its fast loop and the hypervisors import them from here; table.ts
// re-exports them for the code that has always taken them from there.

/** 64 KiB of physical memory, 0x0000–0xFFFF; an access at or above this raises #GP. Also SP at reset. */
export const MEMORY_SIZE = 0x10000;
/** The highest physical address. */
export const ADDRESS_MASK = MEMORY_SIZE - 1;

/** Pages are 4 KiB: page = va >> PAGE_SHIFT. */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** va & PAGE_OFFSET_MASK: the offset inside the page. */
export const PAGE_OFFSET_MASK = PAGE_SIZE - 1;
/** Pages of the address space (and entries of a page table, and physical frames): 16. */
export const PAGE_COUNT = MEMORY_SIZE / PAGE_SIZE;
/** page & PAGE_INDEX_MASK: a page (or frame) number, 0–15. */
export const PAGE_INDEX_MASK = PAGE_COUNT - 1;

/** Page-table entry bits: 0 Present, 1 Writable, 2 User; bits 12–15 the physical frame. */
export const PTE_P = 1;
export const PTE_W = 2;
export const PTE_U = 4;
export const PTE = { P: PTE_P, W: PTE_W, U: PTE_U } as const;
/** The P, W and U bits together (what a TLB entry keeps of the PTE besides the frame). */
export const PTE_FLAGS = PTE_P | PTE_W | PTE_U;
/** The frame bits of a PTE: the physical address is (PTE & PTE_FRAME_MASK) | (va & PAGE_OFFSET_MASK). */
export const PTE_FRAME_MASK = MEMORY_SIZE - PAGE_SIZE;
/** A page-table entry is 32 bits: the entry of page p is mem32[CR3 + PTE_SIZE · p]. */
export const PTE_SIZE = 4;

/** CR0 bit 31 PG: paging on. The only CR0 bit; as a signed 32-bit value. */
export const CR0_PG = 0x80000000 | 0;

/** The TLB's entries (filled on a miss, replaced round-robin). */
export const TLB_ENTRIES = 8;

/** Every instruction is 8 bytes. */
export const INSTRUCTION_SIZE = 8;
/** The last offset in a page where a whole instruction fits (beyond it, the fetch straddles two pages). */
export const LAST_INSTRUCTION_OFFSET = PAGE_SIZE - INSTRUCTION_SIZE;
/** The last address where a whole instruction fits in memory. */
export const LAST_INSTRUCTION_ADDRESS = MEMORY_SIZE - INSTRUCTION_SIZE;

/** FLAGS: CF bit 0, ZF bit 6, SF bit 7, IF bit 9, OF bit 11; other bits read 0. */
export const FLAG_BITS = { CF: 1 << 0, ZF: 1 << 6, SF: 1 << 7, IF: 1 << 9, OF: 1 << 11 } as const;
export const FLAGS_MASK = FLAG_BITS.CF | FLAG_BITS.ZF | FLAG_BITS.SF | FLAG_BITS.IF | FLAG_BITS.OF;

/** Exception and interrupt vectors. */
export const VECTORS = { DE: 0, UD: 6, GP: 13, PF: 14, TIMER: 32 } as const;
export const VECTOR_NAMES: Readonly<Record<number, string>> = {
  [VECTORS.DE]: '#DE',
  [VECTORS.UD]: '#UD',
  [VECTORS.GP]: '#GP',
  [VECTORS.PF]: '#PF',
  [VECTORS.TIMER]: 'timer',
};

/** I/O ports of the devices. */
export const PORTS = { CONSOLE: 0xe9, TIMER_PERIOD: 0x40, TIMER_TICKS: 0x41, POWER_OFF: 0xf4 } as const;

/** CPUID (isa.md): R0 ← "VX86"; R1's feature bits. */
export const CPUID_VENDOR = 0x56583836;
/** R1 bit 0: hardware virtualization (VMX/SVM) available. */
export const CPUID_VMX = 1 << 0;
/** R1 bit 31: a hypervisor is present (0 on bare metal). */
export const CPUID_HYPERVISOR = (1 << 31) | 0;
/** The real VX CPU's answer: VMX available, no hypervisor. */
export const CPUID_BARE_METAL = CPUID_VMX;
/** A VM's virtual CPU as VirtLab's hypervisors present it: hypervisor present, no VMX (no nested virtualization). */
export const CPUID_VIRTUAL = CPUID_HYPERVISOR;
