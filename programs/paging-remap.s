; paging-remap.s — a kernel that builds two address spaces, switches between them, edits a page
; table entry and flushes the TLB, takes a page fault, and turns paging off again.
;
; With CR0.PG = 1, virtual page p (va >> 12) is translated by the entry mem32[CR3 + 4p]: bit 0
; Present, bit 1 Writable, bit 2 User, bits 12–15 the physical frame. The TLB is not kept coherent
; with the page table: after changing a present entry the kernel drops the stale translation with
; INVLPG, or empties the whole TLB by reloading CR3.
;
; Two page tables (0x1000 and 0x1040) map the kernel identically and differ only in page 4: frame 7
; in the first, frame 8 in the second. Page 7 also maps frame 7, so pages 4 and 7 are two names for
; the same memory. Page 2 is not present: reading it raises #PF with CR2 = the address, and the
; handler checks that the return address is the faulting instruction and skips it.
;
; It is a smaller paging.s that uses only what a paravirtualized kernel can ask the hypervisor for:
; pv-paging.s is its twin, hypercall for instruction. (paging.s reads CR2 in its #PF handler, which
; no hypercall offers, so here CR2 is checked only as a register at the end.)
;
; expect-console: paging on\n[0x4000] = 0xC0FFEE07\n[0x7010] = 0x00001234\nCR3 = 0x1040: [0x4000] = 0xC0FFEE08\nCR3 = 0x1000: [0x4000] = 0xC0FFEE07\nPTE changed, page flushed: [0x4000] = 0xC0FFEE08\nPTE changed, TLB flushed: [0x4000] = 0xC0FFEE07\n#PF, at the faulting instruction: yes\npaging off: [0x4000] = 0x00000000\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CR0=0 CR2=0x2345 CR3=0x1000 R4=0 CPL=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ PT1, 0x1000
        .equ PT2, 0x1040
        .equ PG, 0x80000000

start:  LIDT idt
        MOV R0, PT1
        MOV CR3, R0
        MOV R0, PG
        MOV CR0, R0                 ; paging on: the next fetch is translated (identity for page 0)
        MOV R1, on_text
        CALL puts

        LOAD R4, [0x4000]           ; page 4 → frame 7
        MOV R1, p4_text
        CALL show
        MOV R0, 0x1234
        STORE [0x4010], R0          ; written through page 4…
        LOAD R4, [0x7010]           ; …read through page 7: the same frame
        MOV R1, p7_text
        CALL show

        MOV R0, PT2                 ; switch address space: CR3 ← PT2 (and the TLB is emptied)
        MOV CR3, R0
        LOAD R4, [0x4000]           ; page 4 → frame 8 now
        MOV R1, pt2_text
        CALL show
        MOV R0, PT1                 ; and back
        MOV CR3, R0
        LOAD R4, [0x4000]
        MOV R1, pt1_text
        CALL show

        MOV R0, 0x8003              ; edit a present entry: page 4 → frame 8…
        STORE [PT1 + 4 * 4], R0
        MOV R0, 0x4000
        INVLPG R0                   ; …and drop the TLB entry of page 4
        LOAD R4, [0x4000]
        MOV R1, invlpg_text
        CALL show
        MOV R0, 0x7003              ; edit it back, then reload CR3 (which empties the whole TLB)
        STORE [PT1 + 4 * 4], R0
        MOV R0, CR3
        MOV CR3, R0
        LOAD R4, [0x4000]
        MOV R1, reload_text
        CALL show

        MOV R6, $ + 8               ; page 2 is not present: #PF
        LOAD R0, [0x2345]

        MOV R0, 0                   ; paging off: addresses are physical again
        MOV CR0, R0
        LOAD R4, [0x4000]           ; physical 0x4000 was never written
        MOV R1, off_text
        CALL show
        OUT POWER, 0

; #PF handler: is the return address the faulting instruction (R6)? Then skip it.
pf_handler:
        MOV R1, pf_text
        CALL puts
        LOAD R3, [SP]               ; the return address, on top of the frame
        MOV R1, yes_text
        CMP R3, R6
        JE pf_handler.print
        MOV R1, no_text
pf_handler.print:
        CALL puts
        ADD R3, 8
        STORE [SP], R3
        IRET

; show: print the string at R1, the value R4 in hex, and a newline.
show:   CALL puts
        MOV R1, R4
        CALL puthex
        OUT CONSOLE, '\n'
        RET

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

; puthex: print R1 as 0x and 8 hex digits (clobbers R1, R2, R3)
puthex: MOV R2, R1
        OUT CONSOLE, '0'
        OUT CONSOLE, 'x'
        MOV R3, 8
puthex.next:
        MOV R1, R2
        SHR R1, 28                  ; the top nibble
        ADD R1, '0'
        CMP R1, '9'
        JBE puthex.digit
        ADD R1, 'A' - '9' - 1       ; 10–15 → 'A'–'F'
puthex.digit:
        OUT CONSOLE, R1
        SHL R2, 4
        DEC R3
        JNZ puthex.next
        RET

; --- data --------------------------------------------------------------------------------------------
on_text:
        .asciz "paging on\n"
p4_text:
        .asciz "[0x4000] = "
p7_text:
        .asciz "[0x7010] = "
pt2_text:
        .asciz "CR3 = 0x1040: [0x4000] = "
pt1_text:
        .asciz "CR3 = 0x1000: [0x4000] = "
invlpg_text:
        .asciz "PTE changed, page flushed: [0x4000] = "
reload_text:
        .asciz "PTE changed, TLB flushed: [0x4000] = "
pf_text:
        .asciz "#PF, at the faulting instruction: "
yes_text:
        .asciz "yes\n"
no_text:
        .asciz "no\n"
off_text:
        .asciz "paging off: [0x4000] = "

        .align 4
idt:    .space 4 * 14
        .word pf_handler            ; 14: #PF

        .equ P, 1                   ; PTE bits
        .equ W, 2
        .org PT1                    ; page table 1: virtual page → physical frame
        .word 0x0000 | P | W        ; page 0 → frame 0 (this code)
        .word 0x1000 | P | W        ; page 1 → frame 1 (these page tables)
        .word 0, 0                  ; pages 2 and 3: not present
        .word 0x7000 | P | W        ; page 4 → frame 7
        .word 0, 0                  ; pages 5 and 6: not present
        .word 0x7000 | P | W        ; page 7 → frame 7 (an alias of page 4)
        .org PT1 + 4 * 15           ; pages 8–14: not present
        .word 0xF000 | P | W        ; page 15 → frame 15 (the stack)
        .org PT2                    ; page table 2: the same except page 4
        .word 0x0000 | P | W, 0x1000 | P | W, 0, 0
        .word 0x8000 | P | W        ; page 4 → frame 8
        .word 0, 0, 0x7000 | P | W
        .org PT2 + 4 * 15
        .word 0xF000 | P | W

        .org 0x7000                 ; frame 7
        .word 0xC0FFEE07
        .org 0x8000                 ; frame 8
        .word 0xC0FFEE08
