; mmu-heavy.s — MMU-heavy work for shadow paging against nested paging (VMware, "Performance
; Evaluation of Intel EPT Hardware Assist", 2009: up to 48% faster with EPT on MMU-intensive
; workloads). The process switches and demand-paging faults of forkwait.s, with much more work between
; them (4000 words copied per fork), as a kernel compile or a web server has: the page-table-heavy
; guest the cost model's `modern` preset is calibrated on (costs.md; src/config/calibration.ts).
; Compare it with `modern` under hardware assistance, shadow paging against nested.
;
; Each of the 100 iterations (i = 1 … 100) is forkwait.s's: a fresh child page table (five pages, used
; in turn), the work, the child's two faulting stores and their checksum, and the switch back.
;
; Checksum: Σ 3·i for i = 1 … 100 = 15150.
;
; max-steps: 5000000
; expect-console: forkwait: 100 forks, 200 page faults, checksum 15150\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CR3=0x1000 CR0=0x80000000 CPL=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ PT_PARENT, 0x1000
        .equ DATA, 0xA000           ; the parent's data page, copied by each fork
        .equ CHILD_DATA, 0xB000
        .equ WORK, 4000             ; words of it copied per fork (the page over and over)
        .equ P, 1
        .equ W, 2
        .equ FORKS, 100

start:  MOV SP, 0xF800
        LIDT idt
        MOV R1, 0                   ; the parent maps the kernel identity: pages 0-3 and 6-15
        MOV R2, PT_PARENT
map:    MOV R3, R1
        SHL R3, 12
        OR R3, P | W
        CMP R1, 4
        JB map.keep
        CMP R1, 5
        JA map.keep
        MOV R3, 0                   ; pages 4 and 5: the child's private pages, not present here
map.keep:
        STORE [R2], R3
        ADD R2, 4
        INC R1
        CMP R1, 16
        JNZ map
        MOV R0, PT_PARENT
        MOV CR3, R0
        MOV R0, 0x80000000
        MOV CR0, R0                 ; paging on, in the parent's address space
        MOV R6, 0                   ; the checksum
        MOV R5, 1                   ; i
        MOV R4, 0                   ; which fresh page-table page (0-4)

fork:   MOV R0, R4
        SHL R0, 2
        LOAD R0, [tables + R0]      ; the child's page-table page
        PUSH R0
        MOV R1, PT_PARENT           ; copy the parent's 16 entries
copy:   LOAD R2, [R1]
        STORE [R0], R2
        ADD R1, 4
        ADD R0, 4
        CMP R1, PT_PARENT + 64
        JNZ copy
        MOV R1, WORK                ; the rest of the fork: copy the parent's data
        MOV R2, 0
data:   LOAD R3, [DATA + R2]
        STORE [CHILD_DATA + R2], R3
        ADD R2, 4
        AND R2, 0xFFF
        DEC R1
        JNZ data

        POP R0                      ; run the child (the CR3 load empties the TLB)
        MOV CR3, R0
        STORE [0x4000], R5          ; #PF: page 4 is mapped, then the store runs again
        MOV R1, R5
        ADD R1, R5
        STORE [0x5000], R1          ; #PF: page 5 likewise
        LOAD R1, [0x4000]
        ADD R6, R1
        LOAD R1, [0x5000]
        ADD R6, R1

        MOV R0, PT_PARENT           ; the child exits; back to the parent
        MOV CR3, R0
        INC R4
        CMP R4, 5
        JNZ fork.next
        MOV R4, 0
fork.next:
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

; #PF: demand paging for the child's pages 4 and 5 (page p → frame p) in the current table.
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
        MOV R1, R0                  ; its frame: the same number
        SHL R1, 12
        OR R1, P | W
        SHL R0, 2
        MOV R2, CR3                 ; the current page table
        ADD R0, R2
        STORE [R0], R1              ; map it (a not-present entry: no TLB entry to drop)
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
tables: .word 0x2000, 0x3000, 0x7000, 0x8000, 0x9000 ; the fresh page-table pages, used in turn
faults: .word 0
idt:    .space 4 * 14
        .word pf_handler            ; 14: #PF

        .org PT_PARENT              ; the parent's table, built at start
        .space 4 * 16
