; timer-pending.s — a tick that arrives while IF = 0 waits, and only one waits.
;
; With interrupts disabled, timer ticks cannot be delivered: the first one becomes pending, and
; later ones are lost (ticks do not queue: at most one is pending). STI sets IF = 1, but as on x86
; no interrupt is taken until the instruction after STI has run (the STI interrupt shadow, which is
; what makes `STI; HLT` safe): the pending tick is delivered right after that one instruction, so
; the return address in the frame is the second instruction after the STI.
;
; Here the timer (period 100) runs during a 350-instruction busy loop with IF = 0: three ticks
; come and go, one stays pending. After STI and its shadowed NOP exactly one interrupt arrives, at
; `after_sti`; the next tick would be far away, and CLI at `after_sti` shuts the door before it.
;
; expect-console: ticks taken: 1\ntaken right after STI: yes\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R5=1

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ TIMER, 0x40

start:  LIDT idt
        MOV R5, 0                   ; ticks taken (the handler counts them)
        OUT TIMER, 100              ; IF = 0 since reset
        MOV R4, 175
spin:   DEC R4                      ; 175 × 2 = 350 instructions: ticks at 100, 200, 300
        JNZ spin
        STI                         ; IF = 1, but x86's STI shadow holds the tick…
        NOP                         ; …until this one instruction has run;
after_sti:
        CLI                         ; the pending tick is taken before this one runs
        OUT TIMER, 0

        MOV R1, taken_text
        CALL puts
        MOV R1, R5
        CALL putdec
        MOV R1, right_text
        CALL puts
        MOV R1, no_text
        LOAD R0, [tick_pc]
        CMP R0, after_sti
        JNE report
        MOV R1, yes_text
report: CALL puts
        OUT POWER, 0

; timer handler: count the tick and remember where it was taken.
timer:  PUSH R0
        INC R5
        LOAD R0, [SP + 4]           ; the return address (above the saved R0)
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
taken_text:
        .asciz "ticks taken: "
right_text:
        .asciz "\ntaken right after STI: "
yes_text:
        .asciz "yes\n"
no_text:
        .asciz "no\n"

        .align 4
tick_pc:
        .word 0
idt:    .org idt + 4 * 32
        .word timer                 ; 32: the timer
