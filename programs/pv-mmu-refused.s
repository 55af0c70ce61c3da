; pv-mmu-refused.s — mmu_update validates every page-table entry: a paravirtualized guest cannot map
; a frame that is not its own.
;
; Under paravirtualization (Xen) the guest's page tables are read-only to it; it changes an entry
; with the mmu_update hypercall (VMCALL 6, R1 = the entry's address, R2 = the new value, result in
; R0), and the hypervisor checks the entry first. A VM owns 16 frames (0–15, bits 12–15 of an
; entry), so an entry with any bit above 15 set names a frame beyond them, and an entry address
; outside the VM's 64 KiB is not the VM's to write: both are refused with R0 = −1 and change
; nothing. A valid update returns R0 = 0. The hardware-assisted hypervisor offers the same
; hypercalls and the same checks.
;
; The kernel turns paging on with an identity map of pages 0, 1 and 15, then asks to map page 4 to
; frame 7 (accepted), to frame 16 (refused: the entry keeps frame 7 and page 4 still reads frame 7),
; and to write an entry at 0x10000 (refused).
;
; Natively the first VMCALL (at 0x48) raises #UD while IDTR is still 0 and the table at 0 is empty:
; a triple fault, with nothing printed.
;
; runs-on: native paravirtualization hardware-assisted
; expect-console: page 4 -> frame 7: R0 = 0x00000000, accepted\n[0x4000] = 0xC0FFEE07\npage 4 -> frame 16: R0 = 0xFFFFFFFF, refused\nthe entry is still 0x00007003, [0x4000] = 0xC0FFEE07\nan entry at 0x10000: R0 = 0xFFFFFFFF, refused\n
; expect-state: powered-off
; expect-exit[paravirtualization hardware-assisted]: 2
; expect-reg[paravirtualization hardware-assisted]: R5=2 R6=-1 CR0=0x80000000 CR3=0x1000 CPL=0
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault
; expect-reg[native]: PC=0x48 CR0=0 IDTR=0

        .equ HC_CONSOLE_WRITE, 0    ; hypercall numbers
        .equ HC_SET_TRAP_TABLE, 1
        .equ HC_MMU_SET_BASE, 5
        .equ HC_MMU_UPDATE, 6
        .equ HC_SHUTDOWN, 9
        .equ HC_MMU_FLUSH, 11
        .equ PT, 0x1000
        .equ PTE4, PT + 4 * 4       ; the entry of page 4

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

start:  MOV R1, idt
        VMCALL HC_SET_TRAP_TABLE
        MOV R1, PT
        MOV R2, 1
        VMCALL HC_MMU_SET_BASE      ; paging on
        MOV R5, 0                   ; refusals

        MOV R1, PTE4                ; page 4 → frame 7, present and writable: one of ours
        MOV R2, 0x7003
        VMCALL HC_MMU_UPDATE
        MOV R1, frame7_text
        CALL result
        LOAD R4, [0x4000]
        MOV R1, read_text
        CALL show

        MOV R1, PTE4                ; page 4 → frame 16: not one of the VM's frames
        MOV R2, 0x10003
        VMCALL HC_MMU_UPDATE
        MOV R1, frame16_text
        CALL result
        MOV R1, -1
        VMCALL HC_MMU_FLUSH         ; (had the entry changed, the TLB would now see it)
        LOAD R4, [PTE4]             ; the entry, read through page 1 (identity)
        MOV R1, still_text
        CALL show_word
        LOAD R4, [0x4000]
        MOV R1, read2_text
        CALL show

        MOV R1, 0x10000             ; an entry outside the VM's memory
        MOV R2, 0x7003
        VMCALL HC_MMU_UPDATE
        MOV R1, outside_text
        CALL result

        MOV R1, R5                  ; exit code: the refusals (2)
        VMCALL HC_SHUTDOWN

; result: print the string at R1, then R0 and whether it means accepted (0) or refused (−1).
result: MOV R6, R0                  ; (the helpers clobber R0–R3)
        CALL puts
        MOV R1, r0_text
        CALL puts
        MOV R1, R6
        CALL puthex
        MOV R1, accepted_text
        CMP R6, 0
        JE result.print
        INC R5
        MOV R1, refused_text
result.print:
        CALL puts
        RET

; show: print the string at R1, the value R4 in hex, and a newline.
show:   CALL show_word
        MOV R1, '\n'
        VMCALL HC_CONSOLE_WRITE
        RET

; show_word: print the string at R1 and the value R4 in hex.
show_word:
        CALL puts
        MOV R1, R4
        CALL puthex
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
frame7_text:
        .asciz "page 4 -> frame 7"
frame16_text:
        .asciz "page 4 -> frame 16"
outside_text:
        .asciz "an entry at 0x10000"
r0_text:
        .asciz ": R0 = "
accepted_text:
        .asciz ", accepted\n"
refused_text:
        .asciz ", refused\n"
read_text:
        .asciz "[0x4000] = "
still_text:
        .asciz "the entry is still "
read2_text:
        .asciz ", [0x4000] = "

        .align 4
idt:    .space 4 * 32               ; the trap table: nothing is expected to fault

        .org PT                     ; the page table (read-only to the guest under paravirtualization)
        .word 0x0003                ; page 0 → frame 0 (this code), present and writable
        .word 0x1003                ; page 1 → frame 1 (this table)
        .org PT + 4 * 15            ; pages 2–14: not present (page 4 is mapped by mmu_update)
        .word 0xF003                ; page 15 → frame 15 (the stack)

        .org 0x7000                 ; frame 7
        .word 0xC0FFEE07
