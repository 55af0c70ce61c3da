; io-port.s — port I/O: what each port reads, and a loop of 1000 IN instructions.
;
; Ports: 0xE9 console (IN reads 0), 0x40 timer period (0 at reset), 0x41 tick count, 0xF4 power
; (IN reads 0); any other port reads 0xFFFFFFFF and ignores writes; OUT to 0x41 is ignored too.
; The tick count grows by exactly one per retired instruction, so reading it in a loop of 9
; instructions gives values exactly 9 apart. IN and OUT are privileged: under trap-and-emulate each
; one traps, under hardware assistance each one is a VM exit (this is the I/O-heavy benchmark).
;
; expect-console: IN 0xE9 = 0x00000000\nIN 0xF4 = 0x00000000\nIN 0x40 = 0x00000000\nIN 0x60 = 0xFFFFFFFF\nOUT 0x41 left the tick count alone: yes\nreads of port 0x41 exactly 9 ticks apart: 1000 of 1000\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R4=1000

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ TIMER, 0x40
        .equ TICKS, 0x41

start:  IN R4, CONSOLE
        MOV R1, e9_text
        CALL show
        IN R4, POWER
        MOV R1, f4_text
        CALL show
        IN R4, TIMER
        MOV R1, t40_text
        CALL show
        IN R4, 0x60                 ; nothing there
        MOV R1, p60_text
        CALL show
        OUT 0x60, 0                 ; ignored

        IN R5, TICKS                ; t
        OUT TICKS, 0                ; t+1: ignored, the count is not reset
        IN R6, TICKS                ; t+2
        SUB R6, R5
        MOV R1, out41_text
        CALL puts
        MOV R1, yes_text
        CMP R6, 2
        JE out41.print
        MOV R1, no_text
out41.print:
        CALL puts

        MOV R3, 1000                ; reads left
        MOV R4, 0                   ; reads exactly 9 ticks after the previous one
        IN R5, TICKS                ; the previous read (the loop's first read comes 9 ticks later)
        NOP
        NOP
        NOP
        NOP
        NOP
        NOP
        NOP
        NOP
loop:   IN R1, TICKS                ; 1
        MOV R0, R1                  ; 2
        SUB R0, R5                  ; 3  ticks since the previous read
        MOV R5, R1                  ; 4
        CMP R0, 9                   ; 5
        JNE loop.bad                ; 6
        INC R4                      ; 7
        DEC R3                      ; 8
        JNZ loop                    ; 9
        JMP loop.done
loop.bad:
        NOP                         ; 7  (both paths take 9 instructions)
        DEC R3                      ; 8
        JNZ loop                    ; 9
loop.done:
        MOV R1, loop_text
        CALL puts
        MOV R1, R4
        CALL putdec
        MOV R1, of_text
        CALL puts
        OUT POWER, 0

; show: print the string at R1, R4 in hex and a newline.
show:   CALL puts
        MOV R1, R4
        CALL puthex
        OUT CONSOLE, '\n'
        RET

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

; puthex: print R1 as 0x and 8 hex digits (clobbers R1, R2, R3)
puthex: MOV R2, R1
        OUT CONSOLE, '0'
        OUT CONSOLE, 'x'
        MOV R3, 8
puthex.next:
        MOV R1, R2
        SHR R1, 28                  ; the top nibble
        ADD R1, '0'
        CMP R1, '9'
        JBE puthex.digit
        ADD R1, 'A' - '9' - 1       ; 10–15 → 'A'–'F'
puthex.digit:
        OUT CONSOLE, R1
        SHL R2, 4
        DEC R3
        JNZ puthex.next
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
e9_text:
        .asciz "IN 0xE9 = "
f4_text:
        .asciz "IN 0xF4 = "
t40_text:
        .asciz "IN 0x40 = "
p60_text:
        .asciz "IN 0x60 = "
out41_text:
        .asciz "OUT 0x41 left the tick count alone: "
yes_text:
        .asciz "yes\n"
no_text:
        .asciz "no\n"
loop_text:
        .asciz "reads of port 0x41 exactly 9 ticks apart: "
of_text:
        .asciz " of 1000\n"
