; pv-masked-event.s — timer-pending.s, paravirtualized: an event that arrives while the vCPU has
; events masked waits in vcpu_info, and is delivered when the kernel unmasks and asks for it.
;
; timer-pending.s disables interrupts (IF = 0 since reset), lets a tick arrive during a busy loop,
; and takes it once STI's interrupt shadow ends. As a Xen PV kernel (docs/xen-interface.md):
;   IF = 0      →  evtchn_upcall_mask = 1 (vcpu_info starts masked when registered)
;   OUT 0x40    →  EVTCHNOP_bind_virq(VIRQ_TIMER) and set_timer_op(now + 100): one timeout
;   the tick    →  Xen sets the port's bit in shared_info.evtchn_pending, the selector bit and
;                  evtchn_upcall_pending (evtchn_2l_set_pending), but makes no upcall: masked
;   STI         →  xen_irq_enable: evtchn_upcall_mask ← 0, then, seeing evtchn_upcall_pending,
;                  xen_force_evtchn_callback (a harmless xen_version hypercall): Xen delivers the
;                  upcall on its way back, so the callback's return address is the instruction
;                  right after that hypercall (`after_sti`), where bare metal takes it after STI and its shadowed NOP
;   CLI         →  evtchn_upcall_mask ← 1: a store
; Only one tick waits on bare metal (ticks do not queue); here only one timeout was armed, and a
; port's pending bit is one bit anyway. The kernel notes in R6 that evtchn_upcall_pending was 1
; while masked, and in R4 that no upcall had come by then.
;
; runs-on: native paravirtualization
; twin: timer-pending.s
; expect-console: ticks taken: 1\ntaken right after STI: yes\n
; expect-state: powered-off
; expect-exit[paravirtualization]: 0
; expect-reg[paravirtualization]: R4=0 R5=1 R6=1
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault

        .equ __HYPERVISOR_set_callbacks, 4      ; xen/include/public/xen.h
        .equ __HYPERVISOR_set_timer_op, 15
        .equ __HYPERVISOR_xen_version, 17
        .equ __HYPERVISOR_console_io, 18
        .equ __HYPERVISOR_iret, 23
        .equ __HYPERVISOR_vcpu_op, 24
        .equ __HYPERVISOR_sched_op, 29
        .equ __HYPERVISOR_event_channel_op, 32
        .equ CONSOLEIO_write, 0
        .equ SCHEDOP_shutdown, 2
        .equ VCPUOP_register_vcpu_info, 10
        .equ EVTCHNOP_bind_virq, 1
        .equ VIRQ_TIMER, 0
        .equ XENVER_version, 0
        .equ FLAT_KERNEL_CS, 0xE019
        .equ VCPU_INFO, 0x3000
        .equ UPCALL_PENDING, VCPU_INFO + 0
        .equ UPCALL_MASK, VCPU_INFO + 1
        .equ PENDING_SEL, VCPU_INFO + 4
        .equ SYSTEM_TIME, VCPU_INFO + 48
        .equ EVTCHN_PENDING, VCPU_INFO + 0x800

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

start:  MOV R1, VCPUOP_register_vcpu_info
        MOV R2, 0
        MOV R3, vcpu_info_arg
        VMCALL __HYPERVISOR_vcpu_op ; events masked, as IF = 0 at reset
        MOV R1, FLAT_KERNEL_CS
        MOV R2, hypervisor_callback
        MOV R3, FLAT_KERNEL_CS
        MOV R4, hypervisor_callback
        VMCALL __HYPERVISOR_set_callbacks
        MOV R1, EVTCHNOP_bind_virq
        MOV R2, bind_virq_arg
        VMCALL __HYPERVISOR_event_channel_op
        MOV R5, 0                   ; ticks taken (the callback counts them)
        LOAD R1, [SYSTEM_TIME]      ; OUT TIMER, 100: one timeout 100 ticks from now
        ADD R1, 100
        MOV R2, 0
        VMCALL __HYPERVISOR_set_timer_op
        MOV R4, 175
spin:   DEC R4                      ; 350 instructions: the timeout comes at 100, masked
        JNZ spin
        LOADB R6, [UPCALL_PENDING]  ; 1: the event waits in vcpu_info
        MOV R4, R5                  ; 0: no upcall came while masked
        MOV R0, 0                   ; STI (xen_irq_enable): unmask…
        STOREB [UPCALL_MASK], R0
        LOADB R0, [UPCALL_PENDING]  ; …and if an event is pending, ask Xen to deliver it
        CMP R0, 0
        JZ after_sti
        MOV R1, XENVER_version
        MOV R2, 0
        VMCALL __HYPERVISOR_xen_version   ; xen_force_evtchn_callback: the upcall comes now…
after_sti:
        MOV R0, 1                   ; …before this instruction: CLI
        STOREB [UPCALL_MASK], R0

        MOV R1, taken_text
        CALL puts
        MOV R1, R5
        ADD R1, '0'
        STOREB [digit], R1
        MOV R1, digit
        CALL puts
        MOV R1, right_text
        CALL puts
        MOV R1, no_text
        LOAD R0, [tick_pc]
        CMP R0, after_sti
        JNE report
        MOV R1, yes_text
report: CALL puts
        MOV R1, SCHEDOP_shutdown
        MOV R2, shutdown_reason
        VMCALL __HYPERVISOR_sched_op

; The event upcall (xen_evtchn_do_upcall): clear the pending flag, the selector and the port.
hypervisor_callback:
        PUSH R0
        PUSH R1
        MOV R0, 0
        STOREB [UPCALL_PENDING], R0
        STORE [PENDING_SEL], R0
        LOAD R0, [EVTCHN_PENDING]
        LOAD R1, [timer_bit]
        TEST R0, R1
        JZ callback.done
        NOT R1
        AND R0, R1
        STORE [EVTCHN_PENDING], R0  ; clear_evtchn(port)
        INC R5                      ; the timer handler of timer-pending.s
        LOAD R0, [SP + 8]           ; the bounce frame's return address (above R0, R1)
        STORE [tick_pc], R0
callback.done:
        POP R1
        POP R0
        VMCALL __HYPERVISOR_iret

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
        PUSH R3                     ; R3 is the buffer; keep it for the caller
        VMCALL __HYPERVISOR_console_io
        POP R3
        RET

taken_text:
        .asciz "ticks taken: "
right_text:
        .asciz "\ntaken right after STI: "
yes_text:
        .asciz "yes\n"
no_text:
        .asciz "no\n"
digit:  .asciz "0"

        .align 4
tick_pc:
        .word 0
timer_bit:                          ; 1 << the port bound to VIRQ_TIMER (1)
        .word 1 << 1
shutdown_reason:
        .word 0
vcpu_info_arg:
        .word VCPU_INFO >> 12, 0, 0, 0
bind_virq_arg:
        .word VIRQ_TIMER, 0, 0
