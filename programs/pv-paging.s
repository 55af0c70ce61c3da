; pv-paging.s — paging-remap.s, paravirtualized: a guest kernel that manages its page tables with
; validated hypercalls.
;
; The kernel of paging-remap.s with every privileged instruction and page-table store replaced by
; the hypercall that does the same (virtualization.md, "the hypercall interface"; VMCALL n,
; arguments R1–R3, result R0):
;   LIDT idt                       →  VMCALL 1   set_trap_table(R1 = idt)
;   MOV CR3, r / MOV CR0, r        →  VMCALL 5   mmu_set_base(R1 = page table, R2 = 1 paging on / 0 off)
;   STORE [PTE], r                 →  VMCALL 6   mmu_update(R1 = the PTE's address, R2 = the new value)
;   INVLPG r                       →  VMCALL 11  mmu_flush(R1 = the address)
;   MOV r, CR3 + MOV CR3, r        →  VMCALL 11  mmu_flush(R1 = −1: the whole TLB)
;   IRET                           →  VMCALL 7   iret
;   OUT 0xE9, r / OUT 0xF4, r      →  VMCALL 0   console_write(R1) / VMCALL 9 shutdown(R1)
; Under paravirtualization the hardware walks the guest's own page tables, which the guest may only
; read: every entry it writes goes through mmu_update, which checks that the entry names one of the
; VM's own frames (pv-mmu-refused.s shows a refusal). The #PF of the not-present page 2 is
; reflected into the guest kernel's handler, with CR2 set in the virtual CPU.
;
; Natively the first VMCALL (at 0x48) raises #UD while IDTR is still 0 and the table at 0 is empty:
; a triple fault, with nothing printed.
;
; runs-on: native paravirtualization hardware-assisted
; twin: paging-remap.s
; expect-console: paging on\n[0x4000] = 0xC0FFEE07\n[0x7010] = 0x00001234\nCR3 = 0x1040: [0x4000] = 0xC0FFEE08\nCR3 = 0x1000: [0x4000] = 0xC0FFEE07\nPTE changed, page flushed: [0x4000] = 0xC0FFEE08\nPTE changed, TLB flushed: [0x4000] = 0xC0FFEE07\n#PF, at the faulting instruction: yes\npaging off: [0x4000] = 0x00000000\n
; expect-state: powered-off
; expect-exit[paravirtualization hardware-assisted]: 0
; expect-reg[paravirtualization hardware-assisted]: CR0=0 CR2=0x2345 CR3=0x1000 R4=0 CPL=0
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault
; expect-reg[native]: PC=0x48 CR0=0 CR3=0 IDTR=0

        .equ HC_CONSOLE_WRITE, 0    ; hypercall numbers
        .equ HC_SET_TRAP_TABLE, 1
        .equ HC_MMU_SET_BASE, 5
        .equ HC_MMU_UPDATE, 6
        .equ HC_IRET, 7
        .equ HC_SHUTDOWN, 9
        .equ HC_MMU_FLUSH, 11
        .equ PT1, 0x1000
        .equ PT2, 0x1040

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

start:  MOV R1, idt
        VMCALL HC_SET_TRAP_TABLE    ; LIDT idt
        MOV R1, PT1
        MOV R2, 1
        VMCALL HC_MMU_SET_BASE      ; CR3 ← PT1, paging on (identity for page 0)
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

        MOV R1, PT2                 ; switch address space: CR3 ← PT2 (and the TLB is emptied)
        MOV R2, 1
        VMCALL HC_MMU_SET_BASE
        LOAD R4, [0x4000]           ; page 4 → frame 8 now
        MOV R1, pt2_text
        CALL show
        MOV R1, PT1                 ; and back
        MOV R2, 1
        VMCALL HC_MMU_SET_BASE
        LOAD R4, [0x4000]
        MOV R1, pt1_text
        CALL show

        MOV R1, PT1 + 4 * 4         ; edit a present entry: page 4 → frame 8 (validated)…
        MOV R2, 0x8003
        VMCALL HC_MMU_UPDATE
        MOV R1, 0x4000
        VMCALL HC_MMU_FLUSH         ; …and drop the TLB entry of page 4
        LOAD R4, [0x4000]
        MOV R1, invlpg_text
        CALL show
        MOV R1, PT1 + 4 * 4         ; edit it back, then empty the whole TLB
        MOV R2, 0x7003
        VMCALL HC_MMU_UPDATE
        MOV R1, -1
        VMCALL HC_MMU_FLUSH
        LOAD R4, [0x4000]
        MOV R1, reload_text
        CALL show

        MOV R6, $ + 8               ; page 2 is not present: #PF
        LOAD R0, [0x2345]

        MOV R1, PT1                 ; paging off (CR3 stays PT1): addresses are physical again
        MOV R2, 0
        VMCALL HC_MMU_SET_BASE
        LOAD R4, [0x4000]           ; physical 0x4000 was never written
        MOV R1, off_text
        CALL show
        MOV R1, 0
        VMCALL HC_SHUTDOWN

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
        VMCALL HC_IRET

; show: print the string at R1, the value R4 in hex, and a newline.
show:   CALL puts
        MOV R1, R4
        CALL puthex
        MOV R1, '\n'
        VMCALL HC_CONSOLE_WRITE
        RET

; --- console helpers (guest kernel: they use the console_write hypercall) ----------------------------

; puts: print the zero-terminated string at R1 (clobbers R0, R1, R2)
puts:   MOV R2, R1
puts.next:
        LOADB R1, [R2]
        CMP R1, 0
        JZ puts.done
        VMCALL HC_CONSOLE_WRITE     ; R1 = the character
        INC R2
        JMP puts.next
puts.done:
        MOV R1, R2
        RET

; puthex: print R1 as 0x and 8 hex digits (clobbers R0, R1, R2, R3)
puthex: MOV R2, R1
        MOV R1, '0'
        VMCALL HC_CONSOLE_WRITE
        MOV R1, 'x'
        VMCALL HC_CONSOLE_WRITE
        MOV R3, 8
puthex.next:
        MOV R1, R2
        SHR R1, 28                  ; the top nibble
        ADD R1, '0'
        CMP R1, '9'
        JBE puthex.digit
        ADD R1, 'A' - '9' - 1       ; 10–15 → 'A'–'F'
puthex.digit:
        VMCALL HC_CONSOLE_WRITE
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
        .org PT1                    ; page table 1 (read-only to the guest under paravirtualization): virtual page → physical frame
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
