; pv-hello.s — hello.s, paravirtualized: the smallest guest that asks the hypervisor for everything.
;
; A paravirtualized kernel does not run privileged instructions: it makes hypercalls (VMCALL n,
; arguments in R1–R3, result in R0; virtualization.md, "the hypercall interface"). hello.s prints
; with OUT 0xE9 and powers off with OUT 0xF4; here they become
;   VMCALL 0   console_write(R1 = the character)     instead of   OUT 0xE9, r
;   VMCALL 9   shutdown(R1 = the exit code)           instead of   OUT 0xF4, r
; so the string is walked with R2 (R1 carries the argument) and R0 holds each hypercall's result.
;
; Under paravirtualization (Xen) and hardware assistance (whose hypervisor offers the same
; hypercalls) it prints what hello.s prints on bare metal. On bare metal there is no hypervisor:
; the first VMCALL raises #UD, IDTR is still 0 at reset and entry 6 of the table at 0 is empty
; (the JMP below skips over it), so the machine triple-faults before printing anything. That is the
; price of paravirtualization: the modified kernel no longer boots on the real machine.
;
; runs-on: native paravirtualization hardware-assisted
; twin: hello.s
; expect-console: hello, world\n
; expect-state: powered-off
; expect-exit[paravirtualization hardware-assisted]: 0
; expect-reg[paravirtualization hardware-assisted]: R0=0 R1=0 R2=13 CPL=0
;
; On bare metal: nothing printed, a triple fault at the first VMCALL (0x60), R1 = 'h'.
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault
; expect-reg[native]: PC=0x60 R1=104 IDTR=0

        .equ HC_CONSOLE_WRITE, 0    ; hypercall numbers
        .equ HC_SHUTDOWN, 9

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

start:  MOV R2, message             ; R2 walks the string
next:   LOADB R1, [R2]              ; R1 ← the byte at R2 (zero-extended)
        CMP R1, 0                   ; the terminating zero?
        JZ done
        VMCALL HC_CONSOLE_WRITE     ; print it (R0 ← 0, success)
        INC R2
        JMP next
done:   SUB R2, message             ; R2 = the length of the string (13)
        VMCALL HC_SHUTDOWN          ; R1 = 0 here: exit code 0

message:
        .asciz "hello, world\n"
