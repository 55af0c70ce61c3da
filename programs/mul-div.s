; mul-div.s — MUL, DIV and MOD.
;
;   MUL r, src: the low 32 bits of the unsigned product; CF = OF = (the high 32 bits ≠ 0);
;               ZF and SF from the (low) result.
;   DIV, MOD:   unsigned quotient / remainder; CF = OF = 0; ZF and SF from the result.
;               (Division by zero raises #DE: see divide-error.s.)
;
; Each case sets FLAGS with POPF, runs one instruction on R2, then `verify` compares R2 with R1
; and FLAGS with R4, printing '.' or 'F'.
;
; expect-console: mul/div/mod: ................. ok\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R6=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ CF, 0x001
        .equ ZF, 0x040
        .equ SF, 0x080
        .equ OF, 0x800

start:  MOV R6, 0
        MOV R1, title
        CALL puts

; --- MUL -------------------------------------------------------------------------------------------
        PUSH CF | OF | ZF           ; stale flags, to see them recomputed
        POPF
        MOV R2, 6
        MUL R2, 7
        MOV R1, 42
        MOV R4, 0
        CALL verify
        MOV R2, 0x10000             ; 2¹⁶ × 2¹⁶ = 2³²: the low word is 0, the high word 1
        MUL R2, 0x10000
        MOV R1, 0
        MOV R4, CF | OF | ZF
        CALL verify
        MOV R2, 0xFFFFFFFF          ; (2³²−1)² = 0xFFFFFFFE_00000001
        MUL R2, 0xFFFFFFFF
        MOV R1, 1
        MOV R4, CF | OF
        CALL verify
        MOV R2, 0x40000000          ; 2³¹ still fits in 32 unsigned bits: no CF/OF, but SF
        MUL R2, 2
        MOV R1, 0x80000000
        MOV R4, SF
        CALL verify
        MOV R2, 0x80000000          ; 2³² does not
        MUL R2, 2
        MOV R1, 0
        MOV R4, CF | OF | ZF
        CALL verify
        MOV R2, 12345
        MOV R3, 1000
        MUL R2, R3                  ; register source
        MOV R1, 12345000
        MOV R4, 0
        CALL verify
        MOV R2, -1                  ; unsigned: 0xFFFFFFFF × 1
        MUL R2, 1
        MOV R1, 0xFFFFFFFF
        MOV R4, SF
        CALL verify

; --- DIV and MOD -------------------------------------------------------------------------------------
        PUSH CF | OF                ; CF and OF are cleared
        POPF
        MOV R2, 100
        DIV R2, 7
        MOV R1, 14
        MOV R4, 0
        CALL verify
        MOV R2, 100
        MOV R3, 7
        MOD R2, R3
        MOV R1, 2
        MOV R4, 0
        CALL verify
        MOV R2, 0xFFFFFFFF          ; unsigned: 4294967295 / 2, not −1 / 2
        DIV R2, 2
        MOV R1, 0x7FFFFFFF
        MOV R4, 0
        CALL verify
        MOV R2, 0xFFFFFFF0
        MOD R2, 0x10
        MOV R1, 0
        MOV R4, ZF
        CALL verify
        MOV R2, 5                   ; a quotient of 0
        DIV R2, 10
        MOV R1, 0
        MOV R4, ZF
        CALL verify
        MOV R2, 0x80000000
        DIV R2, 1
        MOV R1, 0x80000000
        MOV R4, SF
        CALL verify
        MOV R2, 1000
        MOV R3, 8
        DIV R2, R3
        MOV R1, 125
        MOV R4, 0
        CALL verify
        MOV R2, 0xFFFFFFFF          ; 4294967295 mod 10 = 5
        MOD R2, 10
        MOV R1, 5
        MOV R4, 0
        CALL verify
        MOV R2, -7                  ; 4294967289 / 2 = 2147483644 rem 1
        DIV R2, 2
        MOV R1, 0x7FFFFFFC
        MOV R4, 0
        CALL verify
        MOV R2, -7
        MOD R2, 2
        MOV R1, 1
        MOV R4, 0
        CALL verify

        MOV R1, done_text
        CALL puts
        OUT POWER, R6

; verify: print '.' if R2 = R1 and FLAGS = R4, else 'F' (counted in R6). Clobbers R0, R1.
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

title:  .asciz "mul/div/mod: "
done_text:
        .asciz " ok\n"
