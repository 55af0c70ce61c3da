// The calibration workloads (costs.md, "Magnitudes, not only order"): VX guests shaped like the
// benchmarks of Adams & Agesen (ASPLOS 2006) and of VMware's EPT study (2009), with the mix of events
// those benchmarks are made of. They are model workloads: the papers ran Linux and Windows guests, so
// only the ratios are compared, never absolute times.

/**
 * The kernel's own work in one fork, in words copied (six instructions each): a model value, chosen so
 * that the mix of plain kernel work and page-table events gives Adams & Agesen's forkwait ratios. A real
 * fork does about 570,000 cycles of it natively (6.0 s for 40,000 forks at 3.8 GHz); VX's guest is smaller.
 */
export const FORKWAIT_WORK = 500;
/**
 * MMU-heavy server work for VMware's EPT study: the same process switches and faults with much more
 * work between them (model value), as the study's kernel-compile and web-server workloads have.
 */
export const MMU_HEAVY_WORK = 4000;

/**
 * forkwait-like: each fork builds the child's page table in a fresh page-table page (as Linux's fork
 * allocates new page-table pages: a page not yet shadowed, so building it takes no trace), does the
 * kernel's own work of a fork (copying the parent's descriptor, `work` words), runs the child, whose
 * first touches of its private pages are demand-paging faults and whose first touch of every page is a
 * hidden fault (its shadow is new), then returns to the parent (whose shadow is cached). The child
 * tables rotate through five pages, more than the shadow cache keeps besides the parent's: each new
 * child evicts the oldest cached one, as a fork-heavy guest makes KVM zap its oldest shadow pages.
 */
export function forkwaitCalibration(iterations = 500, work = FORKWAIT_WORK): string {
  return `
  .equ PT_PARENT, 0x1000
  .equ DESC, 0xA000          ; the parent's process descriptor, copied by each fork
  .equ CHILD_DESC, 0xB000
  MOV SP, 0xF800
  LIDT idt
  MOV R1, 0                  ; the parent maps the kernel identity: pages 0-3 and 7-15
  MOV R2, PT_PARENT
map: MOV R3, R1
  SHL R3, 12
  OR R3, 3
  CMP R1, 4
  JB keep
  CMP R1, 6
  JA keep
  MOV R3, 0                  ; pages 4-6: the child's private pages, not present in the parent
keep: STORE [R2], R3
  ADD R2, 4
  INC R1
  CMP R1, 16
  JNZ map
  MOV R1, PT_PARENT
  MOV CR3, R1
  MOV R1, 0x80000000
  MOV CR0, R1
  MOV R6, ${iterations}
  MOV R5, 0                  ; which child table (0-4): pages 2, 3, 7, 8, 9
fork: MOV R0, R5
  SHL R0, 2
  LOAD R4, [R0 + tables]     ; the fresh page-table page of this child
  MOV R1, PT_PARENT
  MOV R2, R4
copy: LOAD R3, [R1]          ; copy the parent's entries (the child's pages stay not present)
  STORE [R2], R3
  ADD R1, 4
  ADD R2, 4
  CMP R1, PT_PARENT + 64
  JNZ copy
  MOV R1, ${work}            ; the kernel's own work of a fork: copy the process's data (one page, round)
  MOV R2, 0
desc: LOAD R3, [R2 + DESC]
  STORE [R2 + CHILD_DESC], R3
  ADD R2, 4
  AND R2, 0xFFF
  DEC R1
  JNZ desc
  MOV CR3, R4                ; run the child
  STORE [0x4000], R6         ; not present: a page fault maps it, then the store runs again
  STORE [0x5000], R6
  LOAD R3, [CHILD_DESC]
  MOV R1, PT_PARENT          ; the child exits: back to the parent
  MOV CR3, R1
  INC R5
  CMP R5, 5
  JNZ next
  MOV R5, 0
next: DEC R6
  JNZ fork
  OUT 0xF4, 0
pf: PUSH R1                  ; demand paging: map the faulting page (page p → frame p) in the current table
  PUSH R2
  MOV R1, CR2
  SHR R1, 12
  MOV R2, R1
  SHL R2, 12
  OR R2, 3
  SHL R1, 2
  MOV R3, CR3
  ADD R1, R3
  STORE [R1], R2
  POP R2
  POP R1
  IRET
  .align 4
tables: .word 0x2000, 0x3000, 0x7000, 0x8000, 0x9000
idt: .space 4 * 14
  .word pf
`;
}
