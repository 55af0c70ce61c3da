; pv-paging.s — paging-remap.s, paravirtualized: a Xen PV kernel that manages its page tables
; with validated hypercalls.
;
; The kernel of paging-remap.s as a Xen PV kernel (docs/xen-interface.md). A PV guest's page tables
; are typed by Xen: a frame in use as a page table may not be mapped writable (here page 1, which
; maps the tables' own frame, is read-only: Linux's xen_alloc_pte/make_lowmem_page_readonly), and
; every entry the kernel writes is validated. What Linux's 32-bit PV MMU code does at each point:
;   LIDT idt                  →  set_trap_table(trap_info[]: #PF)          (xen_load_idt)
;   MOV CR3, r; MOV CR0, PG   →  mmuext_op(MMUEXT_NEW_BASEPTR, table)     (xen_write_cr3: a PV guest
;                                 always runs paged; its first base pointer turns VX paging on)
;   STORE [PTE], r            →  mmu_update({ptr = PTE address, val})     (xen_set_pte → xen_mmu_update)
;                                 or, the second time, the plain store: it faults into Xen, which
;                                 validates and emulates it (writable page tables, ptwr_emulated_update)
;   INVLPG r                  →  mmuext_op(MMUEXT_INVLPG_LOCAL, address)  (xen_flush_tlb_one_user)
;   MOV r, CR3; MOV CR3, r    →  mmuext_op(MMUEXT_TLB_FLUSH_LOCAL)        (xen_flush_tlb)
;   #PF handler, CR2          →  the bounce frame; the address in vcpu_info's arch.cr2 (xen_read_cr2)
;   paging off                →  a PV guest cannot turn paging off: NEW_BASEPTR to an identity table
;   IRET, OUT 0xE9, OUT 0xF4  →  iret, console_io, sched_op(SCHEDOP_shutdown)
; Under paravirtualization the hardware walks the guest's own page tables: no shadow, no hidden
; faults (pv-mmu-refused.s shows what Xen refuses).
;
; Natively the first VMCALL raises #UD while IDTR is still 0 and the table at 0 is empty: a triple
; fault, with nothing printed.
;
; runs-on: native paravirtualization
; twin: paging-remap.s
; expect-console: paging on\n[0x4000] = 0xC0FFEE07\n[0x7010] = 0x00001234\nCR3 = 0x1040: [0x4000] = 0xC0FFEE08\nCR3 = 0x1000: [0x4000] = 0xC0FFEE07\nPTE changed, page flushed: [0x4000] = 0xC0FFEE08\nPTE changed, TLB flushed: [0x4000] = 0xC0FFEE07\n#PF, at the faulting instruction: yes\npaging off: [0x4000] = 0x00000000\n
; expect-state: powered-off
; expect-exit[paravirtualization]: 0
; expect-reg[paravirtualization]: CR2=0x2345 CR3=0x1080 R5=0x2345 CPL=0
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault
; expect-reg[native]: CR0=0 CR3=0 IDTR=0

        .equ __HYPERVISOR_set_trap_table, 0     ; xen/include/public/xen.h
        .equ __HYPERVISOR_mmu_update, 1
        .equ __HYPERVISOR_console_io, 18
        .equ __HYPERVISOR_iret, 23
        .equ __HYPERVISOR_vcpu_op, 24
        .equ __HYPERVISOR_mmuext_op, 26
        .equ __HYPERVISOR_sched_op, 29
        .equ CONSOLEIO_write, 0
        .equ SCHEDOP_shutdown, 2
        .equ VCPUOP_register_vcpu_info, 10
        .equ MMU_NORMAL_PT_UPDATE, 0            ; xen.h: the low bits of mmu_update.ptr
        .equ MMUEXT_NEW_BASEPTR, 5              ; xen.h: struct mmuext_op commands
        .equ MMUEXT_TLB_FLUSH_LOCAL, 6
        .equ MMUEXT_INVLPG_LOCAL, 7
        .equ DOMID_SELF, 0x7FF0
        .equ FLAT_KERNEL_CS, 0xE019
        .equ VCPU_INFO, 0x9000                  ; frame 9, mapped at page 9
        .equ ARCH_CR2, VCPU_INFO + 8            ; vcpu_info.arch.cr2
        .equ PT1, 0x1000
        .equ PT2, 0x1040
        .equ PT_IDENTITY, 0x1080

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

start:  MOV R1, trap_table
        VMCALL __HYPERVISOR_set_trap_table          ; LIDT idt
        MOV R1, VCPUOP_register_vcpu_info           ; vcpu_info, for arch.cr2
        MOV R2, 0
        MOV R3, vcpu_info_arg
        VMCALL __HYPERVISOR_vcpu_op
        MOV R1, MMUEXT_NEW_BASEPTR
        MOV R2, PT1
        CALL mmuext                                 ; CR3 ← PT1, paging on (identity for page 0)
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

        MOV R1, MMUEXT_NEW_BASEPTR  ; switch address space: base ← PT2 (and the TLB is emptied)
        MOV R2, PT2
        CALL mmuext
        LOAD R4, [0x4000]           ; page 4 → frame 8 now
        MOV R1, pt2_text
        CALL show
        MOV R1, MMUEXT_NEW_BASEPTR  ; and back
        MOV R2, PT1
        CALL mmuext
        LOAD R4, [0x4000]
        MOV R1, pt1_text
        CALL show

        MOV R1, update              ; edit a present entry with mmu_update: page 4 → frame 8…
        MOV R2, 1                   ; one request
        MOV R3, 0                   ; no success count wanted
        MOV R4, DOMID_SELF
        VMCALL __HYPERVISOR_mmu_update
        MOV R1, MMUEXT_INVLPG_LOCAL ; …and drop the TLB entry of page 4
        MOV R2, 0x4000
        CALL mmuext
        LOAD R4, [0x4000]
        MOV R1, invlpg_text
        CALL show
        MOV R0, 0x7003              ; edit it back with a plain store: a trap, Xen validates it…
        STORE [PT1 + 4 * 4], R0
        MOV R1, MMUEXT_TLB_FLUSH_LOCAL ; …then empty the whole TLB
        CALL mmuext
        LOAD R4, [0x4000]
        MOV R1, reload_text
        CALL show

        MOV R6, $ + 8               ; page 2 is not present: #PF
        LOAD R0, [0x2345]

        MOV R1, MMUEXT_NEW_BASEPTR  ; "paging off": the identity table
        MOV R2, PT_IDENTITY
        CALL mmuext
        LOAD R4, [0x4000]           ; frame 4 was never written
        MOV R1, off_text
        CALL show
        MOV R1, SCHEDOP_shutdown
        MOV R2, shutdown_reason
        VMCALL __HYPERVISOR_sched_op

; #PF handler (bounced by Xen): is the return address the faulting instruction (R6)? Then skip it.
; The faulting address is vcpu_info's arch.cr2 (Linux: xen_read_cr2 reads it there, no hypercall).
pf_handler:
        LOAD R5, [ARCH_CR2]
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
        VMCALL __HYPERVISOR_iret

; mmuext: one struct mmuext_op { cmd = R1, arg1 = R2 } (clobbers R0–R4).
mmuext: STORE [ext_op], R1
        STORE [ext_op + 4], R2
        MOV R1, ext_op
        MOV R2, 1
        MOV R3, 0
        MOV R4, DOMID_SELF
        VMCALL __HYPERVISOR_mmuext_op
        RET

; show: print the string at R1, the value R4 in hex, and a newline.
show:   CALL puts
        MOV R1, R4
        CALL puthex
        MOV R1, newline
        CALL puts
        RET

; --- console helpers (guest kernel: console_io hypercalls) --------------------------------------------

; puts: print the zero-terminated string at R1 with one console_io (clobbers R0–R2, as natively)
puts:   PUSH R3
        MOV R3, R1
puts.len:
        LOADB R2, [R1]
        CMP R2, 0
        JZ puts.write
        INC R1
        JMP puts.len
puts.write:
        MOV R2, R1
        SUB R2, R3
        MOV R1, CONSOLEIO_write
        VMCALL __HYPERVISOR_console_io
        POP R3
        RET

; puthex: print R1 as 0x and 8 hex digits, built in hex_buf (clobbers R0–R3)
puthex: MOV R2, R1
        MOV R0, hex_buf + 2
        MOV R3, 8
puthex.next:
        MOV R1, R2
        SHR R1, 28                  ; the top nibble
        ADD R1, '0'
        CMP R1, '9'
        JBE puthex.digit
        ADD R1, 'A' - '9' - 1       ; 10–15 → 'A'–'F'
puthex.digit:
        STOREB [R0], R1
        INC R0
        SHL R2, 4
        DEC R3
        JNZ puthex.next
        MOV R1, CONSOLEIO_write
        MOV R2, 10
        MOV R3, hex_buf
        VMCALL __HYPERVISOR_console_io
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
newline:
        .asciz "\n"
hex_buf:
        .ascii "0x00000000"

        .align 4
shutdown_reason:
        .word 0                     ; SHUTDOWN_poweroff
vcpu_info_arg:                      ; struct vcpu_register_vcpu_info { uint64 mfn; uint32 offset, rsvd; }
        .word VCPU_INFO >> 12, 0, 0, 0
update:                             ; struct mmu_update { uint64 ptr; uint64 val; }
        .word (PT1 + 4 * 4) | MMU_NORMAL_PT_UPDATE, 0
        .word 0x8003, 0
ext_op:                             ; struct mmuext_op { cmd; arg1; arg2; }
        .word 0, 0, 0
trap_table:                         ; struct trap_info { vector, flags, cs; address }, ended by address 0
        .byte 14, 0
        .byte FLAT_KERNEL_CS & 0xFF, FLAT_KERNEL_CS >> 8
        .word pf_handler
        .word 0, 0

        .equ P, 1                   ; PTE bits
        .equ W, 2
        .org PT1                    ; page table 1: virtual page → physical frame
        .word 0x0000 | P | W        ; page 0 → frame 0 (this code)
        .word 0x1000 | P            ; page 1 → frame 1 (these page tables): read-only, as Xen demands
        .word 0, 0                  ; pages 2 and 3: not present
        .word 0x7000 | P | W        ; page 4 → frame 7
        .word 0, 0                  ; pages 5 and 6: not present
        .word 0x7000 | P | W        ; page 7 → frame 7 (an alias of page 4)
        .word 0                     ; page 8: not present
        .word 0x9000 | P | W        ; page 9 → frame 9 (vcpu_info)
        .org PT1 + 4 * 15           ; pages 10–14: not present
        .word 0xF000 | P | W        ; page 15 → frame 15 (the stack)
        .org PT2                    ; page table 2: the same except page 4
        .word 0x0000 | P | W, 0x1000 | P, 0, 0
        .word 0x8000 | P | W        ; page 4 → frame 8
        .word 0, 0, 0x7000 | P | W
        .word 0, 0x9000 | P | W
        .org PT2 + 4 * 15
        .word 0xF000 | P | W
        .org PT_IDENTITY            ; the identity table: page n → frame n (frame 1 read-only)
        .word 0x0003, 0x1001, 0x2003, 0x3003, 0x4003, 0x5003, 0x6003, 0x7003
        .word 0x8003, 0x9003, 0xA003, 0xB003, 0xC003, 0xD003, 0xE003, 0xF003

        .org 0x7000                 ; frame 7
        .word 0xC0FFEE07
        .org 0x8000                 ; frame 8
        .word 0xC0FFEE08
