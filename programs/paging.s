; paging.s — address translation: identity and remapped pages, switching CR3, INVLPG, an IDT
; reached through paging, an instruction that straddles two pages, #PF and #GP with paging on, and
; paging off again.
;
; With CR0.PG = 1, virtual page p (va >> 12) is translated by the entry mem32[CR3 + 4p]:
; bit 0 Present, bit 1 Writable, bit 2 User, bits 12–15 the physical frame. Translations are
; cached in the TLB, which is not kept coherent with the page table: after changing a present
; entry, the kernel must INVLPG that page or reload CR3 (this program always does, and never
; relies on a stale entry).
;
; Two address spaces (page tables at 0x1000 and 0x1040) map the kernel identically and differ
; only in page 4: frame 7 in the first, frame 8 in the second. Page 7 also maps frame 7, so page 4
; and page 7 are two names for the same memory. Pages 5 and 6 map frames 9 and 3, not adjacent:
; an instruction at virtual 0x5FFC has its first half at physical 0x9FFC and its second half (the
; 32-bit immediate, bytes 4–7) at physical 0x3000. IDTR holds a virtual address too: a table
; loaded at virtual 0x8000 is read from frame 2, where page 8 points.
;
; expect-console: paging on\n[0x4000] = 0xC0FFEE07\n[0x7010] = 0x00001234\nCR3 = 0x1040: [0x4000] = 0xC0FFEE08\nCR3 = 0x1000: [0x4000] = 0xC0FFEE07\nPTE changed, INVLPG: [0x4000] = 0xC0FFEE08\nPTE changed, CR3 reloaded: [0x4000] = 0xC0FFEE07\nINT 0x40 through the IDT at virtual 0x8000 (frame 2): delivered\nstraddling fetch: R5 = 0x5A5A5A5A\n#PF, CR2 = 0x00002345, at the faulting instruction: yes\n#GP, at the faulting instruction: yes\npaging off: [0x4000] = 0x00000000\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CR0=0 CR2=0x2345 CR3=0x1000 R5=0x5A5A5A5A

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ PT1, 0x1000
        .equ PT2, 0x1040
        .equ PG, 0x80000000

start:  LIDT idt                    ; (IDTR is a virtual address once paging is on: identity here)
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

        LIDT 0x8000                 ; IDTR is virtual: this table is in frame 2
        INT 0x40                    ; its entry 0x40 is read through page 8
        LIDT idt

        MOV R5, 0
        JMP 0x5FFC                  ; run the instruction that straddles pages 5 and 6
straddle_back:
        MOV R4, R5
        MOV R1, straddle_text
        CALL show

        MOV R6, $ + 8               ; page 2 is not present: #PF
        LOAD R0, [0x2345]
        MOV R6, $ + 8               ; virtual addresses ≥ 0x10000 raise #GP, paging or not
        LOAD R0, [0x10000]

        MOV R0, 0                   ; paging off: addresses are physical again
        MOV CR0, R0
        LOAD R4, [0x4000]           ; physical 0x4000 was never written
        MOV R1, off_text
        CALL show
        OUT POWER, 0

; #PF handler: report CR2 and whether the return address is the faulting instruction (R6); skip it.
pf_handler:
        MOV R1, pf_text
        CALL puts
        MOV R1, CR2
        CALL puthex
        MOV R1, at_text
        CALL puts
        CALL same_pc
        IRET

; INT 0x40 through the table at virtual 0x8000.
int40:  MOV R1, int40_text
        CALL puts
        IRET

; #GP handler: the same without CR2.
gp_handler:
        MOV R1, gp_text
        CALL puts
        CALL same_pc
        IRET

; same_pc: print "yes"/"no" for [frame PC] = R6, then advance the frame PC past the instruction.
same_pc:
        LOAD R0, [SP + 4]           ; the frame, above same_pc's return address
        MOV R1, yes_text
        CMP R0, R6
        JE same_pc.print
        MOV R1, no_text
same_pc.print:
        CALL puts
        ADD R0, 8
        STORE [SP + 4], R0
        RET

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
        .asciz "PTE changed, INVLPG: [0x4000] = "
reload_text:
        .asciz "PTE changed, CR3 reloaded: [0x4000] = "
int40_text:
        .asciz "INT 0x40 through the IDT at virtual 0x8000 (frame 2): delivered\n"
straddle_text:
        .asciz "straddling fetch: R5 = "
pf_text:
        .asciz "#PF, CR2 = "
at_text:
        .asciz ", at the faulting instruction: "
gp_text:
        .asciz "#GP, at the faulting instruction: "
yes_text:
        .asciz "yes\n"
no_text:
        .asciz "no\n"
off_text:
        .asciz "paging off: [0x4000] = "

        .align 4
idt:    .space 4 * 13
        .word gp_handler            ; 13: #GP
        .word pf_handler            ; 14: #PF

        .equ P, 1                   ; PTE bits
        .equ W, 2
        .org PT1                    ; page table 1: virtual page → physical frame
        .word 0x0000 | P | W        ; page 0 → frame 0 (this code)
        .word 0x1000 | P | W        ; page 1 → frame 1 (these page tables)
        .word 0                     ; page 2: not present
        .word 0                     ; page 3: not present
        .word 0x7000 | P | W        ; page 4 → frame 7
        .word 0x9000 | P | W        ; page 5 → frame 9
        .word 0x3000 | P | W        ; page 6 → frame 3
        .word 0x7000 | P | W        ; page 7 → frame 7 (an alias of page 4)
        .word 0x2000 | P | W        ; page 8 → frame 2 (a second IDT)
        .space 4 * 6                ; pages 9–14: not present
        .word 0xF000 | P | W        ; page 15 → frame 15 (the stack)
        .org PT2                    ; page table 2: the same except page 4
        .word 0x0000 | P | W, 0x1000 | P | W, 0, 0
        .word 0x8000 | P | W        ; page 4 → frame 8
        .word 0x9000 | P | W, 0x3000 | P | W, 0x7000 | P | W, 0x2000 | P | W
        .space 4 * 6
        .word 0xF000 | P | W

        .org 0x2000 + 4 * 0x40      ; frame 2 = virtual page 8: entry 0x40 of the IDT at 0x8000
        .word int40                 ; (physical 0x8100, in frame 8, holds 0: a triple fault)
        .org 0x3000                 ; frame 3 = virtual page 6
        .word 0x5A5A5A5A            ; bytes 4–7 (the immediate) of the straddling instruction
        JMP straddle_back           ; virtual 0x6004: the instruction after it
        .org 0x7000                 ; frame 7
        .word 0xC0FFEE07
        .org 0x8000                 ; frame 8
        .word 0xC0FFEE08
        .org 0x9FFC                 ; the last 4 bytes of frame 9 = virtual 0x5FFC
        MOV R5, 0x11111111          ; bytes 0–3 here; its own immediate lands in frame 10, unused
