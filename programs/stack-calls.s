; stack-calls.s — CALL, RET and the stack: recursion, arguments on the stack, function pointers.
;
; CALL pushes the address of the next instruction and jumps; RET pops it back into PC. The stack
; grows down from 0x10000, and every PUSH is matched by a POP (or an ADD to SP), so SP ends where
; it started.
;   fact(10), recursive, argument in R1, result in R0;
;   fib(15), recursive, argument pushed on the stack and read at [SP + 4] (1973 calls);
;   a table of function addresses, indexed with [table + Rn] and called through a register.
;
; expect-console: fact(10) = 3628800\nfib(15) = 610\n7 + 5 = 12, 7 - 5 = 2, 7 * 5 = 35\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: SP=0x10000

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4

start:  MOV R1, 10
        CALL fact
        MOV R4, R0
        MOV R1, fact_text
        CALL puts
        MOV R1, R4
        CALL putdec
        OUT CONSOLE, '\n'

        PUSH 15                     ; the argument, on the stack
        CALL fib
        ADD SP, 4                   ; the caller removes it
        MOV R4, R0
        MOV R1, fib_text
        CALL puts
        MOV R1, R4
        CALL putdec
        OUT CONSOLE, '\n'

        MOV R5, 0                   ; byte offset into the table
apply:  LOAD R6, [ops + R5]         ; the function's address
        MOV R1, 7
        MOV R2, 5
        CALL R6                     ; an indirect call: R0 ← R1 op R2
        MOV R4, R0
        MOV R1, 7
        CALL putdec
        LOAD R1, [names + R5]       ; its name, " + " etc.
        CALL puts
        MOV R1, 5
        CALL putdec
        OUT CONSOLE, ' '
        OUT CONSOLE, '='
        OUT CONSOLE, ' '
        MOV R1, R4
        CALL putdec
        ADD R5, 4
        CMP R5, 12
        JAE apply.done
        OUT CONSOLE, ','
        OUT CONSOLE, ' '
        JMP apply
apply.done:
        OUT CONSOLE, '\n'
        OUT POWER, 0

; fact: R0 ← R1! (recursive; keeps R1)
fact:   CMP R1, 1
        JA fact.rec
        MOV R0, 1
        RET
fact.rec:
        PUSH R1
        DEC R1
        CALL fact                   ; R0 ← (R1 − 1)!
        POP R1
        MUL R0, R1
        RET

; fib: R0 ← fib(n) with n on the stack at [SP + 4] (above the return address); clobbers R1.
fib:    LOAD R1, [SP + 4]
        CMP R1, 2
        JAE fib.rec
        MOV R0, R1                  ; fib(0) = 0, fib(1) = 1
        RET
fib.rec:
        DEC R1
        PUSH R1
        CALL fib                    ; fib(n − 1)
        ADD SP, 4
        PUSH R0                     ; keep it: [SP] = fib(n − 1), [SP + 4] = return, [SP + 8] = n
        LOAD R1, [SP + 8]
        SUB R1, 2
        PUSH R1
        CALL fib                    ; fib(n − 2)
        ADD SP, 4
        POP R1
        ADD R0, R1
        RET

op_add: MOV R0, R1
        ADD R0, R2
        RET
op_sub: MOV R0, R1
        SUB R0, R2
        RET
op_mul: MOV R0, R1
        MUL R0, R2
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
fact_text:
        .asciz "fact(10) = "
fib_text:
        .asciz "fib(15) = "
plus:   .asciz " + "
minus:  .asciz " - "
times:  .asciz " * "

        .align 4
ops:    .word op_add, op_sub, op_mul
names:  .word plus, minus, times
