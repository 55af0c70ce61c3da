; pv-mmu-refused.s — Xen validates every page-table entry: a PV guest cannot map a frame that is not
; its own, nor map one of its page tables writable, whether it asks with mmu_update or just stores.
;
; Xen types the frames in use as page tables (xen/arch/x86/mm.c): get_page_from_l1e refuses an entry
; naming a frame the domain does not own (-EPERM) and a writable mapping of a page-table frame
; (-EBUSY: the frame cannot take the PGT_writable_page type, get_page_from_l1e's could_not_pin). A VM owns 16 frames (0–15, bits 12–15
; of an entry), so an entry with a bit above 15 names a frame beyond them. mmu_update takes a batch
; and stops at the first refused request, reporting how many succeeded. A plain store into the page
; table traps (the frame is read-only to the guest); Xen validates it like a one-entry mmu_update
; (ptwr_emulated_update) and, refusing it, reflects the page fault into the guest, with the address
; in vcpu_info's arch.cr2.
;
; The kernel turns paging on (MMUEXT_NEW_BASEPTR) with an identity map of pages 0, 1 (read-only: it
; holds the table), 9 (vcpu_info) and 15, then asks:
;   page 4 → frame 7                          accepted (R0 = 0)
;   page 4 → frame 16                         refused, -EPERM (the entry keeps frame 7)
;   page 5 → frame 1, writable                refused, -EBUSY (frame 1 is the page table)
;   a batch: page 6 → frame 6, page 5 → frame 1 writable, page 8 → frame 8
;                                              refused at the second, -EBUSY; 1 done
;   STORE [the entry of page 5], frame 1 writable
;                                              trapped, refused: #PF at the store, CR2 = the entry
;
; runs-on: native paravirtualization
; expect-console: page 4 -> frame 7: R0 = 0x00000000, accepted\n[0x4000] = 0xC0FFEE07\npage 4 -> frame 16: R0 = 0xFFFFFFFF, refused\nthe entry is still 0x00007003, [0x4000] = 0xC0FFEE07\npage 5 -> page table, writable: R0 = 0xFFFFFFF0, refused\na batch of 3: R0 = 0xFFFFFFF0, refused\ndone: 0x00000001\na plain store of it: #PF, CR2 = 0x00001014\nthe entry is still 0x00000000\n
; expect-state: powered-off
; expect-exit[paravirtualization]: 0
; expect-reg[paravirtualization]: R5=3 CR0=0x80000000 CR3=0x1000 CPL=0
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault
; expect-reg[native]: CR0=0 IDTR=0

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
        .equ MMUEXT_NEW_BASEPTR, 5
        .equ MMUEXT_TLB_FLUSH_LOCAL, 6
        .equ DOMID_SELF, 0x7FF0
        .equ FLAT_KERNEL_CS, 0xE019
        .equ VCPU_INFO, 0x9000
        .equ ARCH_CR2, VCPU_INFO + 8
        .equ PT, 0x1000
        .equ PTE4, PT + 4 * 4       ; the entry of page 4
        .equ PTE5, PT + 4 * 5

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

start:  MOV R1, trap_table
        VMCALL __HYPERVISOR_set_trap_table
        MOV R1, VCPUOP_register_vcpu_info
        MOV R2, 0
        MOV R3, vcpu_info_arg
        VMCALL __HYPERVISOR_vcpu_op
        MOV R1, MMUEXT_NEW_BASEPTR
        MOV R2, PT
        CALL mmuext                 ; paging on
        MOV R5, 0                   ; refusals

        MOV R1, req_frame7          ; page 4 → frame 7, present and writable: one of ours
        MOV R2, 1
        CALL mmu_update
        MOV R1, frame7_text
        CALL result
        LOAD R4, [0x4000]
        MOV R1, read_text
        CALL show

        MOV R1, req_frame16         ; page 4 → frame 16: not one of the VM's frames
        MOV R2, 1
        CALL mmu_update
        MOV R1, frame16_text
        CALL result
        MOV R1, MMUEXT_TLB_FLUSH_LOCAL ; (had the entry changed, the TLB would now see it)
        CALL mmuext
        LOAD R4, [PTE4]             ; the entry, read through page 1 (identity, read-only)
        MOV R1, still_text
        CALL show_word
        LOAD R4, [0x4000]
        MOV R1, read2_text
        CALL show

        MOV R1, req_pt_writable     ; page 5 → frame 1 (the page table itself), writable
        MOV R2, 1
        CALL mmu_update
        MOV R1, pt_text
        CALL result

        MOV R1, batch               ; three requests; the second is refused
        MOV R2, 3
        CALL mmu_update
        MOV R1, batch_text
        CALL result
        LOAD R4, [done]
        MOV R1, done_text
        CALL show

        MOV R6, $ + 24              ; the plain store below faults: the handler resumes after it
        MOV R0, 0x1003
        STORE [PTE5], R0
        LOAD R4, [PTE5]
        MOV R1, still2_text
        CALL show

        MOV R1, SCHEDOP_shutdown    ; SHUTDOWN_poweroff (R5 holds the refusals: 3)
        MOV R2, shutdown_reason
        VMCALL __HYPERVISOR_sched_op

; #PF (bounced by Xen): print CR2 from vcpu_info and skip the faulting store.
pf_handler:
        MOV R1, pf_text
        CALL puts
        LOAD R1, [ARCH_CR2]
        CALL puthex
        MOV R1, newline
        CALL puts
        STORE [SP], R6              ; resume after the store
        VMCALL __HYPERVISOR_iret

; mmu_update: R1 the requests, R2 their count; R0 the result, [done] how many succeeded.
mmu_update:
        MOV R3, done
        MOV R4, DOMID_SELF
        VMCALL __HYPERVISOR_mmu_update
        RET

; mmuext: one struct mmuext_op { cmd = R1, arg1 = R2 } (clobbers R0–R4).
mmuext: STORE [ext_op], R1
        STORE [ext_op + 4], R2
        MOV R1, ext_op
        MOV R2, 1
        MOV R3, 0
        MOV R4, DOMID_SELF
        VMCALL __HYPERVISOR_mmuext_op
        RET

; result: print the text at R1, then R0 and whether it was accepted (counts refusals in R5).
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

show:   CALL show_word
        MOV R1, newline
        CALL puts
        RET

show_word:
        CALL puts
        MOV R1, R4
        CALL puthex
        RET

; puts: print the zero-terminated string at R1 with one console_io (clobbers R0–R3)
puts:   MOV R3, R1
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
        RET

; puthex: print R1 as 0x and 8 hex digits, built in hex_buf (clobbers R0–R3)
puthex: MOV R2, R1
        MOV R0, hex_buf + 2
        MOV R3, 8
puthex.next:
        MOV R1, R2
        SHR R1, 28
        ADD R1, '0'
        CMP R1, '9'
        JBE puthex.digit
        ADD R1, 'A' - '9' - 1
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

frame7_text:
        .asciz "page 4 -> frame 7"
frame16_text:
        .asciz "page 4 -> frame 16"
pt_text:
        .asciz "page 5 -> page table, writable"
batch_text:
        .asciz "a batch of 3"
done_text:
        .asciz "done: "
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
still2_text:
        .asciz "the entry is still "
pf_text:
        .asciz "a plain store of it: #PF, CR2 = "
newline:
        .asciz "\n"
hex_buf:
        .ascii "0x00000000"

        .align 4
done:   .word 0
shutdown_reason:
        .word 0
vcpu_info_arg:
        .word VCPU_INFO >> 12, 0, 0, 0
ext_op: .word 0, 0, 0
; struct mmu_update { uint64 ptr; uint64 val; }: ptr = the entry's address | MMU_NORMAL_PT_UPDATE (0)
req_frame7:
        .word PTE4, 0, 0x7003, 0
req_frame16:
        .word PTE4, 0, 0x10003, 0
req_pt_writable:
        .word PTE5, 0, 0x1003, 0
batch:  .word PT + 4 * 6, 0, 0x6003, 0
        .word PTE5, 0, 0x1003, 0
        .word PT + 4 * 8, 0, 0x8003, 0
trap_table:
        .byte 14, 0
        .byte FLAT_KERNEL_CS & 0xFF, FLAT_KERNEL_CS >> 8
        .word pf_handler
        .word 0, 0

        .org PT                     ; the page table: identity for pages 0, 1 (read-only), 9 and 15
        .word 0x0003, 0x1001
        .org PT + 4 * 9
        .word 0x9003
        .org PT + 4 * 15
        .word 0xF003

        .org 0x7000
        .word 0xC0FFEE07
