; pv-hello.s — hello.s, paravirtualized: the smallest Xen PV guest.
;
; A PV kernel runs no privileged instruction: it calls Xen (docs/xen-interface.md). The hypercall
; number is VMCALL's operand (a Linux PV kernel calls `hypercall_page + nr * 32`, whose stub is
; `mov $nr, %eax; int $0x82`), arguments R1–R5, result R0 (0 or a negative Xen errno).
; hello.s prints byte by byte with OUT 0xE9 and powers off with OUT 0xF4; here, as Linux's
; xen_raw_console_write and xen_power_off do:
;   OUT 0xE9, r (13 times)  →  console_io(CONSOLEIO_write, 13, message)      one hypercall, 18
;   OUT 0xF4, r             →  sched_op(SCHEDOP_shutdown, &{SHUTDOWN_poweroff}) hypercall 29
; so the kernel measures the string first (Linux: strlen) and hands Xen the whole buffer.
;
; Under hardware assistance the same two hypercalls work through VMCALL (Xen HVM guests have
; console_io and sched_op too). On bare metal there is no hypervisor: the first VMCALL raises #UD,
; IDTR is still 0 at reset and entry 6 of the table at 0 is empty (the JMP below skips over it), so
; the machine triple-faults before printing anything: the modified kernel no longer boots on the
; real machine.
;
; runs-on: native paravirtualization hardware-assisted
; twin: hello.s
; expect-console: hello, world\n
; expect-state: powered-off
; expect-exit[paravirtualization hardware-assisted]: 0
; expect-reg[paravirtualization hardware-assisted]: R0=0 R1=2 CPL=0
;
; On bare metal: nothing printed, a triple fault at the first VMCALL.
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault
; expect-reg[native]: PC=0x90 IDTR=0

        .equ __HYPERVISOR_console_io, 18    ; xen/include/public/xen.h
        .equ __HYPERVISOR_sched_op, 29
        .equ CONSOLEIO_write, 0             ; xen.h
        .equ SCHEDOP_shutdown, 2            ; xen/include/public/sched.h
        .equ SHUTDOWN_poweroff, 0

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

start:  MOV R4, message             ; strlen: R4 walks the string
len:    LOADB R1, [R4]
        CMP R1, 0
        JZ write
        INC R4
        JMP len
write:  MOV R2, R4
        SUB R2, message             ; R2 = count (13)
        MOV R3, message             ; R3 = the buffer
        MOV R1, CONSOLEIO_write     ; R1 = the command
first_call:
        VMCALL __HYPERVISOR_console_io
        MOV R1, SCHEDOP_shutdown
        MOV R2, shutdown_reason     ; struct sched_shutdown { unsigned int reason; }
        VMCALL __HYPERVISOR_sched_op

        .align 4
shutdown_reason:
        .word SHUTDOWN_poweroff
message:
        .asciz "hello, world\n"
