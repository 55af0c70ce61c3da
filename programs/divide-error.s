; divide-error.s — #DE (vector 0): DIV and MOD by zero.
;
; The return address pushed for #DE is the faulting instruction itself, and the faulting
; instruction has no effect (its destination register and FLAGS are untouched). The handler
; prints the faulting address, counts the fault in R5, and resumes at the next instruction by
; adding 8 (the size of every instruction) to the return address in the frame before IRET.
;
; expect-console: #DE at 0x00000100\n#DE at 0x00000108\n#DE at 0x00000120\n100 / 7 = 14, 100 mod 7 = 2\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R5=3 R6=0 CPL=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ CF, 0x001
        .equ ZF, 0x040
        .equ SF, 0x080
        .equ OF, 0x800

start:  LIDT idt                    ; the interrupt descriptor table below
        MOV R5, 0                   ; #DE count (the handler increments it)
        MOV R6, 0                   ; problems found
        MOV R2, 100
        MOV R3, 0
        JMP tests

        .org 0x100                  ; fixed addresses, so that the expected output is easy to read
tests:  DIV R2, R3                  ; 0x100: divisor register = 0 → #DE
        MOD R2, 0                   ; 0x108: divisor 0 → #DE
        PUSH CF | ZF | SF | OF      ; 0x110: FLAGS before the next fault…
        POPF                        ; 0x118
        MOD R2, R3                  ; 0x120: → #DE (a MOD that completed would clear CF and OF)
        PUSHF
        POP R0
        CMP R0, CF | ZF | SF | OF   ; …are still there: restored by IRET, never changed
        JE flags_ok
        INC R6
flags_ok:
        CMP R2, 100                 ; R2 was never written
        JE r2_ok
        INC R6
r2_ok:  MOV R4, R2                  ; now divide for real (the helpers clobber R1–R3)
        MOV R1, R4
        CALL putdec
        MOV R1, div_text
        CALL puts
        MOV R1, R4
        DIV R1, 7
        CALL putdec
        MOV R1, mod_text
        CALL puts
        MOV R1, R4
        MOD R1, 7
        CALL putdec
        OUT CONSOLE, '\n'
        OUT POWER, R6

; #DE handler. On entry the frame is [SP] return PC (= the faulting instruction), [SP+4] FLAGS,
; [SP+8] CPL, [SP+12] the SP before the interrupt; IF = 0 and CPL = 0.
de_handler:
        PUSH R1                     ; save what we use: the interrupted code needs it
        PUSH R2
        PUSH R3
        INC R5
        MOV R1, de_text
        CALL puts
        LOAD R1, [SP + 12]          ; the return PC, above the three saved registers
        CALL puthex
        OUT CONSOLE, '\n'
        LOAD R1, [SP + 12]
        ADD R1, 8                   ; resume after the faulting instruction
        STORE [SP + 12], R1
        POP R3
        POP R2
        POP R1
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
de_text:
        .asciz "#DE at "
div_text:
        .asciz " / 7 = "
mod_text:
        .asciz ", 100 mod 7 = "

        .align 4
idt:    .word de_handler            ; vector 0: #DE
        .space 4 * 31               ; every other vector: 0 (a fault there would be a triple fault)
