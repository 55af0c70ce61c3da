; timer-wakeups.s — a kernel that sleeps on the timer, and a tick kept pending while IF = 0.
;
; OUT 0x40, N starts the timer (vector 32 every N instructions); HLT with IF = 1 sleeps until the
; next interrupt, which returns to the instruction after the HLT. With IF = 0 a tick does not
; interrupt: it stays pending (one at most) and is taken once STI's interrupt shadow ends, after
; the one instruction that follows STI (x86's rule). OUT 0x40, 0 stops the timer. The exit code is the number of ticks taken.
;
; This program uses only what a paravirtualized kernel can ask the hypervisor for (pv-timer.s is
; its twin, hypercall for instruction); timer.s also reads the tick counter and the period back
; with IN and ends with HLT at IF = 0, for which the hypercall interface has no counterpart.
;
; expect-console: 10 ticks, 10 wake-ups from HLT\na tick while IF=0 waited: yes\nit was taken right after STI: yes\nno tick once the timer is stopped: yes\n
; expect-state: powered-off
; expect-exit: 11
; expect-reg: R4=10 R5=11 R6=10 CPL=0 FLAGS=0x40

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ TIMER, 0x40

start:  LIDT idt
        MOV R5, 0                   ; ticks (counted by the handler)
        MOV R4, 0                   ; wake-ups from HLT
        OUT TIMER, 50               ; a tick every 50 instructions
        STI
wait:   HLT                         ; sleep until the next interrupt
        INC R4
        CMP R5, 10
        JB wait

        CLI                         ; interrupts off…
        MOV R6, R5                  ; (the ticks so far: 10)
        MOV R3, 60
spin:   DEC R3                      ; …for 120 instructions: a tick arrives and stays pending
        JNZ spin
        MOV R3, R5                  ; the ticks taken while IF = 0 (none, we hope)
        STI                         ; the STI shadow: the next instruction runs first…
        NOP
after_sti:
        CLI                         ; …then the pending tick is taken, before this one
        OUT TIMER, 0                ; stop the timer
        STORE [pending], R3
        MOV R3, 100
        STI
idle:   DEC R3                      ; 200 instructions with interrupts on: no tick may come
        JNZ idle
        CLI

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
        OUT POWER, R5               ; exit code: the ticks taken (11)

; the timer handler (vector 32): count the tick and note where it interrupted.
timer:  PUSH R0
        INC R5
        LOAD R0, [SP + 4]           ; the return address
        STORE [tick_pc], R0
        POP R0
        IRET

; --- console helpers (kernel mode: they use OUT) ---------------------------------------------------

; puts: print the zero-terminated string at R1 (clobbers R1, R2)
puts:   LOADB R2, [R1]
        CMP R2, 0
        JZ puts.done
        OUT CONSOLE, R2
        INC R1
        JMP puts
puts.done:
        RET

; putdec: print R1 in unsigned decimal (clobbers R1, R2, R3)
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
        POP R2                      ; …printed last
        OUT CONSOLE, R2
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
