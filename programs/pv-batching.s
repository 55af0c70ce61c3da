; pv-batching.s — pagetable-batch.s, paravirtualized: why Xen batches page-table updates.
;
; The same eight entries rewritten three times, each round a different way (docs/xen-interface.md):
;   round 1: eight update_va_mapping hypercalls, then mmuext_op(TLB_FLUSH_LOCAL)   9 crossings
;   round 2: one mmu_update with eight requests, then mmuext_op(TLB_FLUSH_LOCAL)    2 crossings
;   round 3: one multicall: eight update_va_mapping entries and the mmuext_op      1 crossing
; Every crossing into Xen costs a hypercall round trip (hypercallRoundTrip); a multicall entry costs
; only the dispatch inside Xen (multicallEntry). This is what Linux's PV MMU does with its lazy MMU
; mode (arch/x86/xen/mmu_pv.c: xen_set_pte_at → xen_mc_entry / xen_mc_issue, multicalls.c): while
; the kernel updates many entries (fork, exec, munmap), the updates queue in a multicall buffer and
; cross into Xen together. Natively (pagetable-batch.s) each entry is one STORE.
; The Inspector's hypercall table shows update_va_mapping 16 times: 8 of them inside the multicall.
;
; runs-on: native paravirtualization
; twin: pagetable-batch.s
; expect-console: round 1: 0x00000E40\nround 2: 0x00001380\nround 3: 0x00000E40\n
; expect-state: powered-off
; expect-exit[paravirtualization]: 0
; expect-reg[paravirtualization]: CR0=0x80000000 CR3=0x1000 CPL=0
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault

        .equ __HYPERVISOR_mmu_update, 1         ; xen/include/public/xen.h
        .equ __HYPERVISOR_multicall, 13
        .equ __HYPERVISOR_update_va_mapping, 14
        .equ __HYPERVISOR_console_io, 18
        .equ __HYPERVISOR_mmuext_op, 26
        .equ __HYPERVISOR_sched_op, 29
        .equ CONSOLEIO_write, 0
        .equ SCHEDOP_shutdown, 2
        .equ MMUEXT_NEW_BASEPTR, 5
        .equ MMUEXT_TLB_FLUSH_LOCAL, 6
        .equ UVMF_NONE, 0                       ; xen.h: update_va_mapping flags
        .equ DOMID_SELF, 0x7FF0
        .equ PT, 0x1000

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

start:  MOV R1, base_op
        MOV R2, 1
        MOV R3, 0
        MOV R4, DOMID_SELF
        VMCALL __HYPERVISOR_mmuext_op       ; MMUEXT_NEW_BASEPTR PT: paging on

; Round 1: one hypercall per entry (update_va_mapping: R1 the address, R2/R3 the entry, R4 flags).
        MOV R6, 1
        MOV R2, 4
round1: CALL pte_of                 ; R3 ← the entry for page R2 in round R6
        PUSH R2
        MOV R1, R2
        SHL R1, 12                  ; the page's address
        MOV R2, R3
        MOV R3, 0
        MOV R4, UVMF_NONE
        VMCALL __HYPERVISOR_update_va_mapping
        POP R2
        INC R2
        CMP R2, 12
        JB round1
        CALL flush
        CALL report

; Round 2: one mmu_update carrying eight requests {ptr = the entry's address, val}.
        MOV R6, 2
        MOV R2, 4
        MOV R5, requests
round2: CALL pte_of
        MOV R1, R2
        SHL R1, 2
        ADD R1, PT                  ; ptr: the entry's address | MMU_NORMAL_PT_UPDATE (0)
        STORE [R5], R1
        STORE [R5 + 8], R3          ; val
        ADD R5, 16                  ; sizeof(struct mmu_update)
        INC R2
        CMP R2, 12
        JB round2
        MOV R1, requests
        MOV R2, 8
        MOV R3, 0
        MOV R4, DOMID_SELF
        VMCALL __HYPERVISOR_mmu_update
        CALL flush
        CALL report

; Round 3: one multicall: eight update_va_mapping entries and the flush, one crossing.
        MOV R6, 3
        MOV R2, 4
        MOV R5, calls
round3: CALL pte_of
        MOV R0, __HYPERVISOR_update_va_mapping
        STORE [R5], R0              ; op
        MOV R1, R2
        SHL R1, 12
        STORE [R5 + 8], R1          ; args[0]: the address
        STORE [R5 + 12], R3         ; args[1]: the entry (args[2] = 0: its high word; args[3] = UVMF_NONE)
        ADD R5, 32                  ; sizeof(struct multicall_entry)
        INC R2
        CMP R2, 12
        JB round3
        MOV R0, __HYPERVISOR_mmuext_op
        STORE [R5], R0
        MOV R0, flush_op
        STORE [R5 + 8], R0          ; args: the op, 1, no count, DOMID_SELF
        MOV R0, 1
        STORE [R5 + 12], R0
        MOV R0, DOMID_SELF
        STORE [R5 + 20], R0
        MOV R1, calls
        MOV R2, 9
        VMCALL __HYPERVISOR_multicall
        CALL report

        MOV R1, SCHEDOP_shutdown
        MOV R2, shutdown_reason
        VMCALL __HYPERVISOR_sched_op

; pte_of: R3 ← the entry mapping page R2 in round R6 (odd: frame 15 − page, even: the same frame).
pte_of: MOV R3, R2
        TEST R6, 1
        JZ pte_of.frame
        MOV R3, 15
        SUB R3, R2
pte_of.frame:
        SHL R3, 12
        OR R3, 3                    ; present, writable
        RET

flush:  MOV R1, flush_op
        MOV R2, 1
        MOV R3, 0
        MOV R4, DOMID_SELF
        VMCALL __HYPERVISOR_mmuext_op
        RET

; report: print "round R6: " and the checksum of pages 4–11 (clobbers R0–R4).
report: MOV R4, 0
        MOV R2, 4
report.sum:
        MOV R1, R2
        SHL R1, 12
        LOAD R0, [R1]
        MOV R1, R2
        SUB R1, 3
        MUL R0, R1
        ADD R4, R0
        INC R2
        CMP R2, 12
        JB report.sum
        MOV R1, R6
        ADD R1, '0'
        STOREB [line + 6], R1       ; "round N: 0x…"
        MOV R2, R4
        MOV R0, line + 11
        MOV R3, 8
report.hex:
        MOV R1, R2
        SHR R1, 28
        ADD R1, '0'
        CMP R1, '9'
        JBE report.digit
        ADD R1, 'A' - '9' - 1
report.digit:
        STOREB [R0], R1
        INC R0
        SHL R2, 4
        DEC R3
        JNZ report.hex
        MOV R1, CONSOLEIO_write
        MOV R2, 20
        MOV R3, line
        VMCALL __HYPERVISOR_console_io
        RET

line:   .ascii "round N: 0x00000000\n"

        .align 4
shutdown_reason:
        .word 0
base_op:                            ; struct mmuext_op { cmd, arg1, arg2 }
        .word MMUEXT_NEW_BASEPTR, PT, 0
flush_op:
        .word MMUEXT_TLB_FLUSH_LOCAL, 0, 0
requests:                           ; 8 × struct mmu_update { uint64 ptr; uint64 val; }
        .space 8 * 16
calls:                              ; 9 × struct multicall_entry { op; result; args[6]; }
        .space 9 * 32

        .org PT                     ; pages 0 (code), 1 (this table, read-only) and 15 (the stack)
        .word 0x0003, 0x1001
        .org PT + 4 * 15
        .word 0xF003

        .org 0x4000                 ; what each frame holds: its number × 0x10
        .word 0x40
        .org 0x5000
        .word 0x50
        .org 0x6000
        .word 0x60
        .org 0x7000
        .word 0x70
        .org 0x8000
        .word 0x80
        .org 0x9000
        .word 0x90
        .org 0xA000
        .word 0xA0
        .org 0xB000
        .word 0xB0
