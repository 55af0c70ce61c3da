; timer.s — the timer device: periodic interrupts, HLT, and the tick counter.
;
; Ports: OUT 0x40, N sets the timer period (vector 32 every N ticks; 0 stops it) and IN 0x40 reads
; it back; IN 0x41 reads the tick count. Time is deterministic: one tick per retired instruction,
; and a halted CPU jumps straight to the next timer tick. HLT with IF = 1 waits for the next
; interrupt; the interrupt returns to the instruction after the HLT. HLT with IF = 0 stops the
; machine for good (state `halted`), which is how this program ends.
;
; expect-console: ticks between two reads: 3\nperiod: 50\n10 ticks, 10 wake-ups from HLT\ntime went on by 500 ticks or so: yes\nperiod after stopping: 0\nhalting with IF=0\n
; expect-state: halted
; expect-reg: R5=10 R4=10 FLAGS=0 CPL=0

        .equ CONSOLE, 0xE9
        .equ TIMER, 0x40
        .equ TICKS, 0x41

start:  LIDT idt
        MOV R5, 0                   ; ticks (counted by the handler)
        MOV R4, 0                   ; wake-ups from HLT

        IN R2, TICKS                ; the counter advances once per retired instruction:
        NOP                         ; this IN, this NOP and the next one retire between the reads
        NOP
        IN R3, TICKS
        SUB R3, R2                  ; (the helpers below clobber R1–R3: use the result now)
        STORE [elapsed], R3
        MOV R1, between_text
        CALL puts
        LOAD R1, [elapsed]
        CALL putdec
        OUT CONSOLE, '\n'

        OUT TIMER, 50               ; a tick every 50 instructions
        IN R6, TIMER                ; the period reads back
        IN R2, TICKS                ; the time now
        STI
wait:   HLT                         ; sleep until the next interrupt
        INC R4
        CMP R5, 10
        JB wait
        CLI
        IN R3, TICKS
        SUB R3, R2
        STORE [elapsed], R3

        MOV R1, period_text
        CALL puts
        MOV R1, R6
        CALL putdec
        OUT CONSOLE, '\n'
        MOV R1, R5
        CALL putdec
        MOV R1, ticks_text
        CALL puts
        MOV R1, R4
        CALL putdec
        MOV R1, wakes_text
        CALL puts
        MOV R1, elapsed_text        ; 10 periods of 50: about 500 ticks went by
        CALL puts
        LOAD R3, [elapsed]
        MOV R1, no_text
        CMP R3, 480
        JB elapsed.print
        CMP R3, 520
        JA elapsed.print
        MOV R1, yes_text
elapsed.print:
        CALL puts
        OUT TIMER, 0                ; stop the timer
        MOV R1, stopped_text
        CALL puts
        IN R1, TIMER
        CALL putdec
        OUT CONSOLE, '\n'
        MOV R1, halt_text
        CALL puts
        PUSH 0
        POPF                        ; IF = 0 (and a clean FLAGS)…
        HLT                         ; …so HLT stops the machine

; the timer handler (vector 32): count the tick.
timer:  INC R5
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
between_text:
        .asciz "ticks between two reads: "
period_text:
        .asciz "period: "
ticks_text:
        .asciz " ticks, "
wakes_text:
        .asciz " wake-ups from HLT\n"
elapsed_text:
        .asciz "time went on by 500 ticks or so: "
yes_text:
        .asciz "yes\n"
no_text:
        .asciz "no\n"
stopped_text:
        .asciz "period after stopping: "
halt_text:
        .asciz "halting with IF=0\n"

        .align 4
elapsed:
        .word 0
idt:    .org idt + 4 * 32
        .word timer                 ; 32: the timer
