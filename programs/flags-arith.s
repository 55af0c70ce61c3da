; flags-arith.s — the flag rules of ADD, SUB, CMP, INC, DEC and NEG.
;
;   ADD, SUB, CMP: ZF and SF from the result; CF = unsigned carry (ADD) or borrow (SUB, CMP);
;                  OF = signed overflow. CMP only sets flags.
;   INC, DEC:      ZF, SF and OF; CF is left unchanged.
;   NEG:           ZF, SF and OF; CF = (the operand ≠ 0).
;
; Each case sets FLAGS to a known value with POPF, runs one instruction on R2, then `verify`
; compares R2 with R1 and FLAGS with R4, and prints '.' (both right) or 'F'.
;
; expect-console: arithmetic flags: ........................... ok\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R6=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ CF, 0x001
        .equ ZF, 0x040
        .equ SF, 0x080
        .equ IF, 0x200
        .equ OF, 0x800

start:  MOV R6, 0
        MOV R1, title
        CALL puts

; --- ADD ----------------------------------------------------------------------------------------
        PUSH CF | ZF | SF | OF | IF ; every flag set before: ADD recomputes CF ZF SF OF, keeps IF
        POPF
        MOV R2, 1
        ADD R2, 2
        MOV R1, 3
        MOV R4, IF
        CALL verify
        PUSH 0
        POPF
        MOV R2, 0xFFFFFFFF          ; unsigned carry out of bit 31
        ADD R2, 1
        MOV R1, 0
        MOV R4, CF | ZF
        CALL verify
        MOV R2, 0x7FFFFFFF          ; signed overflow: max positive + 1
        ADD R2, 1
        MOV R1, 0x80000000
        MOV R4, SF | OF
        CALL verify
        MOV R2, 0x80000000          ; both: carry and overflow (−2³¹ + −2³¹)
        ADD R2, 0x80000000
        MOV R1, 0
        MOV R4, CF | ZF | OF
        CALL verify
        MOV R2, -1                  ; −1 + −1 = −2: a carry, but no signed overflow
        ADD R2, -1
        MOV R1, -2
        MOV R4, CF | SF
        CALL verify
        MOV R2, -5
        MOV R3, 5
        ADD R2, R3                  ; register source
        MOV R1, 0
        MOV R4, CF | ZF
        CALL verify

; --- SUB ----------------------------------------------------------------------------------------
        MOV R2, 5
        SUB R2, 3
        MOV R1, 2
        MOV R4, 0
        CALL verify
        MOV R2, 3                   ; 3 − 5 borrows
        SUB R2, 5
        MOV R1, -2
        MOV R4, CF | SF
        CALL verify
        MOV R2, 0x80000000          ; −2³¹ − 1 overflows to +2³¹−1, no borrow
        SUB R2, 1
        MOV R1, 0x7FFFFFFF
        MOV R4, OF
        CALL verify
        MOV R2, 0x7FFFFFFF          ; 2³¹−1 − (−1): borrow (unsigned) and overflow (signed)
        MOV R3, -1
        SUB R2, R3
        MOV R1, 0x80000000
        MOV R4, CF | SF | OF
        CALL verify
        MOV R2, 7
        SUB R2, 7
        MOV R1, 0
        MOV R4, ZF
        CALL verify

; --- CMP: the flags of SUB, the register unchanged --------------------------------------------------
        MOV R2, 3
        CMP R2, 5
        MOV R1, 3
        MOV R4, CF | SF
        CALL verify
        MOV R2, 5
        MOV R3, 5
        CMP R2, R3
        MOV R1, 5
        MOV R4, ZF
        CALL verify
        MOV R2, 0x80000000
        CMP R2, 1
        MOV R1, 0x80000000
        MOV R4, OF
        CALL verify
        MOV R2, -1                  ; unsigned 0xFFFFFFFF > 1: no borrow; signed −1 < 1
        CMP R2, 1
        MOV R1, -1
        MOV R4, SF
        CALL verify

; --- INC and DEC leave CF alone ----------------------------------------------------------------------
        PUSH CF
        POPF
        MOV R2, 0xFFFFFFFF          ; wraps to 0: ZF; CF stays 1 (it was 1)
        INC R2
        MOV R1, 0
        MOV R4, CF | ZF
        CALL verify
        PUSH 0
        POPF
        MOV R2, 0xFFFFFFFF          ; the same wrap with CF = 0: CF stays 0
        INC R2
        MOV R1, 0
        MOV R4, ZF
        CALL verify
        PUSH CF
        POPF
        MOV R2, 0x7FFFFFFF          ; signed overflow
        INC R2
        MOV R1, 0x80000000
        MOV R4, CF | SF | OF
        CALL verify
        PUSH CF
        POPF
        MOV R2, 1
        DEC R2
        MOV R1, 0
        MOV R4, CF | ZF
        CALL verify
        PUSH 0
        POPF
        MOV R2, 0                   ; 0 − 1 wraps, but DEC sets no borrow
        DEC R2
        MOV R1, 0xFFFFFFFF
        MOV R4, SF
        CALL verify
        MOV R2, 0x80000000          ; signed overflow
        DEC R2
        MOV R1, 0x7FFFFFFF
        MOV R4, OF
        CALL verify

; --- NEG: CF = (operand ≠ 0) -------------------------------------------------------------------------
        MOV R2, 5
        NEG R2
        MOV R1, -5
        MOV R4, CF | SF
        CALL verify
        PUSH CF | OF
        POPF
        MOV R2, 0                   ; −0 = 0: CF and OF cleared
        NEG R2
        MOV R1, 0
        MOV R4, ZF
        CALL verify
        MOV R2, 0x80000000          ; −(−2³¹) does not fit: overflow
        NEG R2
        MOV R1, 0x80000000
        MOV R4, CF | SF | OF
        CALL verify
        MOV R2, -1
        NEG R2
        MOV R1, 1
        MOV R4, CF
        CALL verify

; --- results feed the next instruction: a 64-bit addition with carry ---------------------------------
        ; (0x00000001_FFFFFFFF + 0x00000002_00000001): the low words carry into the high words.
        MOV R2, 0xFFFFFFFF          ; low word of the first number
        MOV R3, 1                   ; high word of the first number
        ADD R2, 0x00000001          ; add the low words: 0, with a carry out
        JNC no_carry
        INC R3                      ; propagate the carry into the high word
no_carry:
        ADD R3, 2                   ; add the high words: 1 + 1 + 2 = 4
        MOV R1, 0                   ; low word of the sum
        MOV R4, 0                   ; flags of ADD R3, 2 (result 4: none)
        CALL verify
        MOV R2, R3
        MOV R1, 4                   ; high word of the sum
        MOV R4, 0
        ADD R2, 0                   ; refresh the flags from R2 (= 4)
        CALL verify

        MOV R1, done_text
        CALL puts
        OUT POWER, R6

; verify: print '.' if R2 = R1 and FLAGS = R4, else 'F' (counted in R6). Clobbers R0, R1.
; CALL and MOV leave FLAGS alone, so FLAGS are still those of the instruction under test.
verify: PUSHF
        POP R0
        CMP R0, R4
        JNE verify.fail
        CMP R2, R1
        JNE verify.fail
        MOV R1, '.'
        OUT CONSOLE, R1
        RET
verify.fail:
        MOV R1, 'F'
        OUT CONSOLE, R1
        INC R6
        RET

; puts: print the zero-terminated string at R1 (clobbers R1, R2)
puts:   LOADB R2, [R1]
        CMP R2, 0
        JZ puts.done
        OUT CONSOLE, R2
        INC R1
        JMP puts
puts.done:
        RET

title:  .asciz "arithmetic flags: "
done_text:
        .asciz " ok\n"
