; forkwait.s — a process-creation load, after the "forkwait" microbenchmark (Adams and Agesen,
; ASPLOS 2006): a parent repeatedly forks a child and waits for it. For the MMU that means building
; page tables, switching address spaces, and page faults, which are exactly the operations that
; shadow paging makes expensive and nested paging makes cheap.
;
; Each of the 3000 iterations (i = 1 … 3000):
;   fork  the kernel builds the child's page table: it copies the parent's kernel entries (pages
;         0, 1 and 15) and marks the child's private pages 4 and 5 not present;
;   run   CR3 ← the child's table; the child writes i to page 4 and 2·i to page 5; both pages
;         fault (#PF, not present) and the fault handler maps them (page p → frame p + 6) and
;         returns to the faulting store, which runs again;
;   wait  CR3 ← the parent's table; the parent points its window page 6 at the child's frame 10
;         (i even) or 11 (i odd), INVLPG, and reads the child's value back into a checksum.
; Every change to a present page-table entry is followed by INVLPG or a CR3 load: the program
; never depends on a stale TLB entry.
;
; Checksum: Σ (i even: i, i odd: 2·i) for i = 1 … 3000 = 6751500.
;
; max-steps: 400000
; expect-console: forkwait: 3000 forks, 6000 page faults, checksum 6751500\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CR3=0x1000 CR0=0x80000000 CPL=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ PT_PARENT, 0x1000
        .equ PT_CHILD, 0x1040
        .equ P, 1
        .equ W, 2
        .equ FORKS, 3000

start:  LIDT idt
        MOV R0, PT_PARENT
        MOV CR3, R0
        MOV R0, 0x80000000
        MOV CR0, R0                 ; paging on, in the parent's address space
        MOV R6, 0                   ; the checksum
        MOV R5, 1                   ; i

fork:   LOAD R0, [PT_PARENT + 0 * 4] ; copy the kernel's entries into the child's table
        STORE [PT_CHILD + 0 * 4], R0
        LOAD R0, [PT_PARENT + 1 * 4]
        STORE [PT_CHILD + 1 * 4], R0
        LOAD R0, [PT_PARENT + 15 * 4]
        STORE [PT_CHILD + 15 * 4], R0
        MOV R0, 0                   ; the child's own pages: not present until touched
        STORE [PT_CHILD + 4 * 4], R0
        STORE [PT_CHILD + 5 * 4], R0
        MOV R4, R5                  ; R4 ← the offset of word (i mod 1024) in a page
        AND R4, 0x3FF
        SHL R4, 2

        MOV R0, PT_CHILD            ; run the child (the CR3 load empties the TLB)
        MOV CR3, R0
        STORE [0x4000 + R4], R5     ; #PF: page 4 is mapped, then the store runs again
        MOV R1, R5
        ADD R1, R5
        STORE [0x5000 + R4], R1     ; #PF: page 5 likewise

        MOV R0, PT_PARENT           ; the child exits; back to the parent
        MOV CR3, R0
        MOV R0, R5
        AND R0, 1                   ; the child's frame 10 (i even) or 11 (i odd)…
        ADD R0, 10
        SHL R0, 12
        OR R0, P | W
        STORE [PT_PARENT + 6 * 4], R0 ; …becomes the parent's page 6
        MOV R0, 0x6000
        INVLPG R0                   ; the entry may have been present: drop the old translation
        LOAD R0, [0x6000 + R4]      ; the child's value
        ADD R6, R0

        INC R5
        CMP R5, FORKS
        JBE fork

        MOV R1, forks_text
        CALL puts
        MOV R1, FORKS
        CALL putdec
        MOV R1, faults_text
        CALL puts
        LOAD R1, [faults]
        CALL putdec
        MOV R1, sum_text
        CALL puts
        MOV R1, R6
        CALL putdec
        OUT CONSOLE, '\n'
        OUT POWER, 0

; #PF: demand paging for the child's pages 4 and 5 (page p → frame p + 6) in the current table.
pf_handler:
        PUSH R0
        PUSH R1
        PUSH R2
        MOV R0, CR2
        SHR R0, 12                  ; the page
        CMP R0, 4
        JB pf.unexpected
        CMP R0, 5
        JA pf.unexpected
        MOV R1, R0
        ADD R1, 6                   ; its frame
        SHL R1, 12
        OR R1, P | W
        SHL R0, 2
        MOV R2, CR3                 ; the current page table
        ADD R0, R2
        STORE [R0], R1              ; map it
        MOV R0, CR2
        INVLPG R0
        LOAD R0, [faults]
        INC R0
        STORE [faults], R0
        POP R2
        POP R1
        POP R0
        IRET                        ; back to the faulting store
pf.unexpected:
        MOV R1, unexpected_text
        CALL puts
        OUT POWER, 1

; --- console helpers (kernel mode: they use OUT) ---------------------------------------------------

; puts: print the zero-terminated string at R1 (clobbers R1, R2)
puts:   LOADB R2, [R1]
        CMP R2, 0
        JZ puts.done
        OUT CONSOLE, R2
        INC R1
        JMP puts
puts.done:
        RET

; putdec: print R1 in unsigned decimal (clobbers R1, R2, R3)
putdec: MOV R3, 0                   ; digits pushed
putdec.split:
        MOV R2, R1
        MOD R2, 10
        ADD R2, '0'
        PUSH R2                     ; least significant digit first…
        INC R3
        DIV R1, 10
        CMP R1, 0
        JNE putdec.split
putdec.print:
        POP R2                      ; …printed last
        OUT CONSOLE, R2
        DEC R3
        JNZ putdec.print
        RET

; --- data --------------------------------------------------------------------------------------------
forks_text:
        .asciz "forkwait: "
faults_text:
        .asciz " forks, "
sum_text:
        .asciz " page faults, checksum "
unexpected_text:
        .asciz "unexpected page fault\n"

        .align 4
faults: .word 0
idt:    .space 4 * 14
        .word pf_handler            ; 14: #PF

        .org PT_PARENT              ; the parent: kernel pages only, plus its window (page 6)
        .word 0x0000 | P | W        ; 0: kernel code and data
        .word 0x1000 | P | W        ; 1: the page tables
        .space 4 * 13               ; 2–14: not present (page 6 is set by the parent)
        .word 0xF000 | P | W        ; 15: the stack
        .org PT_CHILD               ; the child: rebuilt by every fork
        .space 4 * 16
