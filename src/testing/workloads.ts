// Workloads shaped like the published measurements of costs.md, used by the cost-shape tests and
// the benchmarks. Each is a complete VX program that powers off at the end.

/** forkwait-like: build a child's page table, mark the parent's pages copy-on-write, run the child
 *  (page faults mapped on demand), come back, restore the parent. Page-table and fault heavy. */
export function forkwait(iterations = 1000): string {
  return `
  .equ PT_A, 0x9000        ; the parent's page table
  .equ PT_B, 0x9100        ; the child's page table
  MOV SP, 0x8000
  LIDT idt
  MOV R1, 0
  MOV R2, PT_A
map: MOV R3, R1            ; identity-map pages 0–11 in the parent
  SHL R3, 12
  OR R3, 3
  STORE [R2], R3
  ADD R2, 4
  INC R1
  CMP R1, 12
  JNZ map
  MOV R1, PT_A
  MOV CR3, R1
  MOV R1, 0x80000000
  MOV CR0, R1
  MOV R6, ${iterations}
fork: MOV R1, 0            ; copy the parent's table into the child's
copy: LOAD R3, [R1 + PT_A]
  STORE [R1 + PT_B], R3
  ADD R1, 4
  CMP R1, 64
  JNZ copy
  MOV R1, 32               ; copy-on-write: the parent's pages 8–11 become read-only
cow: LOAD R3, [R1 + PT_A]
  AND R3, ~2
  STORE [R1 + PT_A], R3
  ADD R1, 4
  CMP R1, 48
  JNZ cow
  MOV R1, PT_B             ; run the child
  MOV CR3, R1
  LOAD R4, [0xC000]        ; not present: page fault, mapped on demand
  LOAD R4, [0xD000]
  MOV R1, PT_A             ; the child exits: back to the parent
  MOV CR3, R1
  MOV R1, 32               ; wait: the parent's pages are writable again
uncow: LOAD R3, [R1 + PT_A]
  OR R3, 2
  STORE [R1 + PT_A], R3
  ADD R1, 4
  CMP R1, 48
  JNZ uncow
  MOV R1, PT_A             ; reload CR3: forget the stale read-only translations
  MOV CR3, R1
  DEC R6
  JNZ fork
  OUT 0xF4, 0
pf: PUSH R1                ; map the faulting page in the current table
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
idt: .space 4 * 14
  .word pf
`;
}

/** A kernel that drops to user mode; user code makes system calls in a loop. */
export function syscallLoop(calls = 2000): string {
  return `
  LIDT idt
  MOV R1, 0x8000
  MOV KSP, R1
  PUSH 0x7000
  PUSH 3
  PUSH 0x200
  PUSH user
  IRET
user: MOV R4, ${calls}
again: INT 0x80
  DEC R4
  JNZ again
  INT 0x81
syscall: INC R5
  IRET
exit: OUT 0xF4, R5
  .align 4
idt: .space 4 * 128
  .word syscall, exit
`;
}

/** IN from a device port, in a loop (kernel code). */
export function portLoop(reads = 2000): string {
  return `
  MOV R1, ${reads}
again: IN R0, 0x41
  DEC R1
  JNZ again
  OUT 0xF4, 0
`;
}

/** Page-table writes to the live page table, each followed by INVLPG (ptemod). */
export function pteWrites(writes = 2000): string {
  return `
  .equ PT, 0x9000
  MOV SP, 0x8000
  MOV R1, 0
  MOV R2, PT
map: MOV R3, R1
  SHL R3, 12
  OR R3, 3
  STORE [R2], R3
  ADD R2, 4
  INC R1
  CMP R1, 16
  JNZ map
  MOV R1, PT
  MOV CR3, R1
  MOV R1, 0x80000000
  MOV CR0, R1
  MOV R4, ${writes}
  MOV R5, 0xC003
again: XOR R5, 2           ; toggle Writable of page 12
  STORE [PT + 48], R5
  MOV R6, 0xC000
  INVLPG R6
  DEC R4
  JNZ again
  OUT 0xF4, 0
`;
}

/** Pure computation. */
export function computeLoop(iterations = 100_000): string {
  return `
  MOV R0, 0
  MOV R1, ${iterations}
loop: ADD R0, R1
  XOR R2, R0
  SHR R2, 1
  DEC R1
  JNZ loop
  OUT 0xF4, 0
`;
}

/** DIV by zero in a loop; the #DE handler skips the faulting instruction. */
export function divideByZero(count = 1000): string {
  return `
  MOV SP, 0x8000
  LIDT idt
  MOV R1, ${count}
  MOV R2, 0
again: DIV R1, R2
  DEC R1
  JNZ again
  OUT 0xF4, 0
de: LOAD R5, [SP]
  ADD R5, 8
  STORE [SP], R5
  IRET
  .align 4
idt: .word de
`;
}
