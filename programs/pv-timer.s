; pv-timer.s — timer-wakeups.s, paravirtualized: sleeping on a virtual timer with hypercalls.
;
; The guest kernel of timer-wakeups.s with every privileged instruction replaced by the hypercall
; that does the same (virtualization.md, "the hypercall interface"; VMCALL n, arguments R1–R3,
; result R0):
;   LIDT idt        →  VMCALL 1   set_trap_table(R1 = idt)
;   OUT 0x40, N     →  VMCALL 10  set_timer(R1 = N)
;   STI / CLI       →  VMCALL 3   irq_enable (delivers a pending tick) / VMCALL 2 irq_disable
;   HLT             →  VMCALL 8   sched_block: sleep until the next virtual interrupt
;   IRET            →  VMCALL 7   iret
;   OUT 0xE9, r     →  VMCALL 0   console_write(R1 = the character)
;   OUT 0xF4, r     →  VMCALL 9   shutdown(R1 = the exit code)
; Timer interrupts reach the hypervisor, which injects them while the virtual IF is 1 and keeps
; one pending while it is 0, until irq_enable. The guest's clock counts its own instructions (a
; hypercall is one), so the same ticks come at the same points as on bare metal and the console is
; the same as timer-wakeups.s's. (timer.s itself cannot be ported: there is no hypercall to read the
; tick counter or the period back, and none to halt with interrupts off.)
;
; Natively the first VMCALL (at 0x48) raises #UD while IDTR is still 0 and the table at 0 is empty:
; a triple fault, with nothing printed.
;
; runs-on: native paravirtualization hardware-assisted
; twin: timer-wakeups.s
; expect-console: 10 ticks, 10 wake-ups from HLT\na tick while IF=0 waited: yes\nit was taken right after STI: yes\nno tick once the timer is stopped: yes\n
; expect-state: powered-off
; expect-exit[paravirtualization hardware-assisted]: 11
; expect-reg[paravirtualization hardware-assisted]: R4=10 R5=11 R6=10 CPL=0 FLAGS=0x40
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault
; expect-reg[native]: PC=0x48 IDTR=0

        .equ HC_CONSOLE_WRITE, 0    ; hypercall numbers
        .equ HC_SET_TRAP_TABLE, 1
        .equ HC_IRQ_DISABLE, 2
        .equ HC_IRQ_ENABLE, 3
        .equ HC_IRET, 7
        .equ HC_SCHED_BLOCK, 8
        .equ HC_SHUTDOWN, 9
        .equ HC_SET_TIMER, 10

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

start:  MOV R1, idt
        VMCALL HC_SET_TRAP_TABLE    ; LIDT idt
        MOV R5, 0                   ; ticks (counted by the handler)
        MOV R4, 0                   ; wake-ups from HLT
        MOV R1, 50
        VMCALL HC_SET_TIMER         ; a tick every 50 instructions
        VMCALL HC_IRQ_ENABLE        ; STI
wait:   VMCALL HC_SCHED_BLOCK       ; HLT: sleep until the next interrupt
        INC R4
        CMP R5, 10
        JB wait

        VMCALL HC_IRQ_DISABLE       ; CLI: interrupts off…
        MOV R6, R5                  ; (the ticks so far: 10)
        MOV R3, 60
spin:   DEC R3                      ; …for 120 instructions: a tick arrives and stays pending
        JNZ spin
        MOV R3, R5                  ; the ticks taken while IF = 0 (none, we hope)
        VMCALL HC_IRQ_ENABLE        ; STI: the pending tick is taken before the next instruction…
after_sti:
        VMCALL HC_IRQ_DISABLE       ; …which is this one
        MOV R1, 0
        VMCALL HC_SET_TIMER         ; stop the timer
        STORE [pending], R3
        MOV R3, 100
        VMCALL HC_IRQ_ENABLE
idle:   DEC R3                      ; 200 instructions with interrupts on: no tick may come
        JNZ idle
        VMCALL HC_IRQ_DISABLE

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

        MOV R1, sti_text            ; one more tick, taken where STI left off
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
        MOV R1, R5
        VMCALL HC_SHUTDOWN          ; exit code: the ticks taken (11)

; the timer handler (vector 32, injected by the hypervisor): count the tick and note where it interrupted.
timer:  PUSH R0
        INC R5
        LOAD R0, [SP + 4]           ; the return address
        STORE [tick_pc], R0
        POP R0
        VMCALL HC_IRET

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

; putdec: print R1 in unsigned decimal (clobbers R0, R1, R2, R3)
putdec: MOV R3, 0                   ; digits pushed
putdec.split:
        MOV R2, R1
        MOD R2, 10
        ADD R2, '0'
        PUSH R2                     ; least significant digit first…
        INC R3
        DIV R1, 10
        CMP R1, 0
        JNE putdec.split
putdec.print:
        POP R1                      ; …printed last
        VMCALL HC_CONSOLE_WRITE
        DEC R3
        JNZ putdec.print
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

        .align 4
pending:
        .word 0
tick_pc:
        .word 0
idt:    .org idt + 4 * 32
        .word timer                 ; 32: the timer
