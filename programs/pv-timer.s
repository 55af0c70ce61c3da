; pv-timer.s — timer-wakeups.s, paravirtualized: sleeping on Xen's timer event.
;
; The guest kernel of timer-wakeups.s as a Xen PV kernel (docs/xen-interface.md). There is no IDT
; vector 32 any more: the timer is an event (VIRQ_TIMER) on an event channel, delivered as an upcall
; to the entry registered with set_callbacks, and the interrupt flag is a byte in memory. What
; Linux's 32-bit PV code does at each point:
;   LIDT idt (vector 32)  →  VCPUOP_register_vcpu_info (vcpu_info at 0x3000), set_callbacks
;                             (xen_enable_sysenter/xen_init_irq: the event callback entry) and
;                             EVTCHNOP_bind_virq(VIRQ_TIMER) (xen_timer_init → bind_virq_to_irqhandler)
;   OUT 0x40, 50          →  set_timer_op(now + 50): one-shot (xen_timerop_set_next_event); the
;                             callback re-arms it from vcpu_info's system time
;   CLI                   →  STOREB [evtchn_upcall_mask], 1               (xen_irq_disable: a store)
;   STI                   →  STOREB [evtchn_upcall_mask], 0; if evtchn_upcall_pending, xen_version
;                             (xen_irq_enable → xen_force_evtchn_callback: the upcall comes on the
;                             way back from that hypercall)
;   HLT                   →  sched_op(SCHEDOP_block)                       (xen_safe_halt)
;   IRET                  →  iret                                          (xen_iret)
;   vector 32 handler     →  the upcall: clear evtchn_upcall_pending and the selector, take the
;                             pending ports (xen_evtchn_do_upcall), run the timer handler, iret
;   OUT 0xE9 / OUT 0xF4   →  console_io / sched_op(SCHEDOP_shutdown)
; A tick that comes while the mask is set stays pending (one pending bit: ticks do not queue, as on
; bare metal) and is delivered at the instruction after the unmasking sequence's hypercall, where
; bare metal takes it once STI's one-instruction shadow ends (a PV kernel has no STI shadow: the
; mask store and the check come first). CLI and STI cost what a store costs: no hypercall unless an
; event is pending.
;
; Natively the first VMCALL raises #UD while IDTR is still 0 and the table at 0 is empty: a triple
; fault, with nothing printed.
;
; runs-on: native paravirtualization
; twin: timer-wakeups.s
; expect-console: 10 ticks, 10 wake-ups from HLT\na tick while IF=0 waited: yes\nit was taken right after STI: yes\nno tick once the timer is stopped: yes\n
; expect-state: powered-off
; expect-exit[paravirtualization]: 11
; expect-reg[paravirtualization]: R4=10 R5=11 R6=10 CPL=0
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault
; expect-reg[native]: IDTR=0

        .equ __HYPERVISOR_set_callbacks, 4      ; xen/include/public/xen.h
        .equ __HYPERVISOR_set_timer_op, 15
        .equ __HYPERVISOR_xen_version, 17
        .equ __HYPERVISOR_console_io, 18
        .equ __HYPERVISOR_iret, 23
        .equ __HYPERVISOR_vcpu_op, 24
        .equ __HYPERVISOR_sched_op, 29
        .equ __HYPERVISOR_event_channel_op, 32
        .equ CONSOLEIO_write, 0
        .equ SCHEDOP_block, 1                   ; sched.h
        .equ SCHEDOP_shutdown, 2
        .equ VCPUOP_register_vcpu_info, 10      ; vcpu.h
        .equ EVTCHNOP_bind_virq, 1              ; event_channel.h
        .equ VIRQ_TIMER, 0                      ; xen.h
        .equ XENVER_version, 0                  ; version.h
        .equ FLAT_KERNEL_CS, 0xE019             ; arch-x86/xen-x86_32.h
        .equ VCPU_INFO, 0x3000                  ; frame 3, offset 0 (the shared_info page)
        .equ UPCALL_PENDING, VCPU_INFO + 0      ; struct vcpu_info (x86_32)
        .equ UPCALL_MASK, VCPU_INFO + 1
        .equ PENDING_SEL, VCPU_INFO + 4
        .equ SYSTEM_TIME, VCPU_INFO + 48        ; time.system_time
        .equ EVTCHN_PENDING, VCPU_INFO + 0x800  ; shared_info.evtchn_pending[0]
        .equ PERIOD, 50

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

start:  MOV R1, VCPUOP_register_vcpu_info
        MOV R2, 0                   ; vCPU 0
        MOV R3, vcpu_info_arg       ; { mfn = 3, offset = 0 }
        VMCALL __HYPERVISOR_vcpu_op ; events start masked (evtchn_upcall_mask = 1: IF = 0)
        MOV R1, FLAT_KERNEL_CS
        MOV R2, hypervisor_callback
        MOV R3, FLAT_KERNEL_CS
        MOV R4, failsafe_callback
        VMCALL __HYPERVISOR_set_callbacks
        MOV R1, EVTCHNOP_bind_virq
        MOV R2, bind_virq_arg       ; { virq = VIRQ_TIMER, vcpu = 0, port (out) }
        VMCALL __HYPERVISOR_event_channel_op
        MOV R5, 0                   ; ticks (counted by the handler)
        MOV R4, 0                   ; wake-ups from SCHEDOP_block
        MOV R6, 1
        STORE [timer_on], R6
        CALL arm_timer              ; OUT 0x40, 50: the first tick in 50
        ; STI (xen_irq_enable)
        MOV R6, 0
        STOREB [UPCALL_MASK], R6
wait:   MOV R1, SCHEDOP_block       ; HLT: sleep until the next event
        VMCALL __HYPERVISOR_sched_op
        INC R4
        CMP R5, 10
        JB wait

        MOV R6, 1                   ; CLI (xen_irq_disable): events masked…
        STOREB [UPCALL_MASK], R6
        MOV R6, R5                  ; (the ticks so far: 10)
        MOV R3, 60
spin:   DEC R3                      ; …for 120 instructions: a tick arrives and stays pending
        JNZ spin
        MOV R3, R5                  ; the ticks taken while masked (none, we hope)
        ; STI (xen_irq_enable): unmask, then ask for the pending event with a hypercall
        MOV R0, 0
        STOREB [UPCALL_MASK], R0
        LOADB R0, [UPCALL_PENDING]
        CMP R0, 0
        JZ after_sti
        MOV R1, XENVER_version
        MOV R2, 0
        VMCALL __HYPERVISOR_xen_version   ; xen_force_evtchn_callback: the upcall comes now…
after_sti:
        MOV R0, 1                   ; …before this instruction: CLI again
        STOREB [UPCALL_MASK], R0
        MOV R0, 0                   ; stop the timer
        STORE [timer_on], R0
        MOV R1, 0
        MOV R2, 0
        VMCALL __HYPERVISOR_set_timer_op
        STORE [pending], R3
        MOV R3, 100
        MOV R0, 0                   ; STI (nothing pending: no hypercall)
        STOREB [UPCALL_MASK], R0
idle:   DEC R3                      ; 200 instructions with events on: no tick may come
        JNZ idle
        MOV R0, 1                   ; CLI
        STOREB [UPCALL_MASK], R0

        MOV R1, R6
        CALL putdec
        MOV R1, ticks_text
        CALL puts
        MOV R1, R4
        CALL putdec
        MOV R1, wakes_text
        CALL puts

        MOV R1, waited_text         ; no tick was taken in the spin loop
        CALL puts
        LOAD R3, [pending]
        MOV R1, yes_text
        CMP R3, R6
        JE waited.print
        MOV R1, no_text
waited.print:
        CALL puts

        MOV R1, sti_text            ; one more tick, taken where the unmasking left off
        CALL puts
        LOAD R3, [tick_pc]
        MOV R1, no_text
        CMP R3, after_sti
        JNE sti.print
        MOV R1, yes_text
sti.print:
        CALL puts

        MOV R1, stopped_text        ; and none after the timer stopped
        CALL puts
        MOV R1, no_text
        MOV R3, R6
        INC R3
        CMP R5, R3
        JNE stopped.print
        MOV R1, yes_text
stopped.print:
        CALL puts
        STORE [shutdown_reason], R5 ; exit code: the ticks taken (11)
        MOV R1, SCHEDOP_shutdown
        MOV R2, shutdown_reason
        VMCALL __HYPERVISOR_sched_op

; The event upcall (Linux: xen_hypervisor_callback → xen_evtchn_do_upcall). Xen masked events and
; built a bounce frame (VX's interrupt frame) on this stack.
hypervisor_callback:
        PUSH R0
        PUSH R1
        PUSH R2
        MOV R0, 0
        STOREB [UPCALL_PENDING], R0 ; vcpu_info->evtchn_upcall_pending = 0
        STORE [PENDING_SEL], R0     ; xchg(&evtchn_pending_sel, 0): events are masked, a store will do
        LOAD R0, [EVTCHN_PENDING]   ; the pending ports of word 0
        LOAD R1, [timer_bit]
        TEST R0, R1
        JZ callback.done
        NOT R1
        AND R0, R1
        STORE [EVTCHN_PENDING], R0  ; clear_evtchn(port)
        CALL timer_interrupt
callback.done:
        POP R2
        POP R1
        POP R0
        VMCALL __HYPERVISOR_iret    ; restores evtchn_upcall_mask from the frame's IF (1: unmasked)

; The failsafe callback: Xen could not return to the guest (bad segment). Never expected here.
failsafe_callback:
        MOV R1, SCHEDOP_shutdown
        MOV R2, crash_reason
        VMCALL __HYPERVISOR_sched_op

; The timer handler (timer-wakeups.s's vector 32): count, note where the tick came, re-arm.
timer_interrupt:
        INC R5
        LOAD R0, [SP + 16]          ; the bounce frame's return address (above R0–R2 and our return)
        STORE [tick_pc], R0
        LOAD R0, [timer_on]
        CMP R0, 0
        JZ timer_interrupt.done
        CALL arm_timer
timer_interrupt.done:
        RET

; arm_timer: set_timer_op(system time + PERIOD), a one-shot timeout (clobbers R0, R1, R2).
arm_timer:
        LOAD R1, [SYSTEM_TIME]
        ADD R1, PERIOD
        MOV R2, 0
        VMCALL __HYPERVISOR_set_timer_op
        RET

; --- console helpers (guest kernel: console_io hypercalls) --------------------------------------------

; puts: print the zero-terminated string at R1 with one console_io (clobbers R0, R1, R2, R3)
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

; putdec: print R1 in unsigned decimal (clobbers R0, R1, R2, R3)
putdec: MOV R3, dec_buf + 10        ; digits written backwards from the end of dec_buf
putdec.split:
        MOV R2, R1
        MOD R2, 10
        ADD R2, '0'
        DEC R3
        STOREB [R3], R2
        DIV R1, 10
        CMP R1, 0
        JNE putdec.split
        MOV R2, dec_buf + 10
        SUB R2, R3
        MOV R1, CONSOLEIO_write
        VMCALL __HYPERVISOR_console_io
        RET

; --- data --------------------------------------------------------------------------------------------
ticks_text:
        .asciz " ticks, "
wakes_text:
        .asciz " wake-ups from HLT\n"
waited_text:
        .asciz "a tick while IF=0 waited: "
sti_text:
        .asciz "it was taken right after STI: "
stopped_text:
        .asciz "no tick once the timer is stopped: "
yes_text:
        .asciz "yes\n"
no_text:
        .asciz "no\n"
dec_buf:
        .space 10

        .align 4
pending:
        .word 0
tick_pc:
        .word 0
timer_on:
        .word 0
timer_bit:                          ; 1 << the port bound to VIRQ_TIMER (1: the first free port)
        .word 1 << 1
shutdown_reason:                    ; struct sched_shutdown
        .word 0
crash_reason:
        .word 3                     ; SHUTDOWN_crash
vcpu_info_arg:                      ; struct vcpu_register_vcpu_info { uint64 mfn; uint32 offset, rsvd; }
        .word VCPU_INFO >> 12, 0, 0, 0
bind_virq_arg:                      ; struct evtchn_bind_virq { virq, vcpu, port (out) }
        .word VIRQ_TIMER, 0, 0
