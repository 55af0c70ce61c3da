; data-movement.s — MOV, LOAD/STORE, LOADB/STOREB, PUSH/POP and every memory operand form:
; [Rn], [Rn + e], [Rn - e], [e] and [e + Rn]. Memory is little-endian, word accesses need no
; alignment, LOADB zero-extends, STOREB writes only the low byte, and none of these instructions
; touches FLAGS.
;
; Each check prints '.' when the value read matches the value worked out by hand, else 'F'.
;
; expect-console: data movement: ...................... ok\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R6=0 SP=0x10000 FLAGS=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ BUF, 0x2000            ; a scratch buffer, zero at reset
        .equ CF, 1 << 0
        .equ ZF, 1 << 6
        .equ SF, 1 << 7
        .equ OF, 1 << 11

start:  MOV R6, 0
        MOV R1, title
        CALL puts

; --- MOV ----------------------------------------------------------------------------------------
        MOV R2, 1234                ; MOV r, expression
        MOV R0, R2                  ; MOV r, register
        MOV R1, 1234
        CALL check

; --- the five memory operand forms -----------------------------------------------------------------
        MOV R2, 0x11223344
        STORE [BUF], R2             ; [e]: an absolute address
        MOV R3, BUF
        LOAD R0, [R3]               ; [Rn]
        MOV R1, 0x11223344
        CALL check
        MOV R2, 0x55667788
        STORE [R3 + 8], R2          ; [Rn + e]: writes BUF+8
        LOAD R0, [BUF + 8]
        MOV R1, 0x55667788
        CALL check
        MOV R4, BUF + 12
        LOAD R0, [R4 - 4]           ; [Rn - e]: reads BUF+8
        MOV R1, 0x55667788
        CALL check
        MOV R4, 8
        LOAD R0, [BUF + R4]         ; [e + Rn]: a table indexed by a register
        MOV R1, 0x55667788
        CALL check
        MOV R4, 4
        STORE [BUF + 4 * 2 + R4], R2 ; the expression part may be any expression: BUF+12
        LOAD R0, [R3 + 12]
        MOV R1, 0x55667788
        CALL check

; --- little-endian bytes, LOADB and STOREB ------------------------------------------------------------
        LOADB R0, [BUF]             ; the lowest byte of 0x11223344 is first
        MOV R1, 0x44
        CALL check
        LOADB R0, [R3 + 3]
        MOV R1, 0x11
        CALL check
        MOV R2, 0xFFFFFFAB
        STOREB [R3 + 1], R2         ; only the low byte, 0xAB, is written
        LOAD R0, [BUF]
        MOV R1, 0x1122AB44
        CALL check
        MOV R2, 0xF0
        STOREB [BUF + 2], R2
        LOADB R0, [BUF + 2]         ; zero-extended: 0xF0, not 0xFFFFFFF0
        MOV R1, 0xF0
        CALL check
        LOAD R0, [R3 + 1]           ; an unaligned word: bytes BUF+1 … BUF+4
        MOV R1, 0x0011F0AB
        CALL check
        MOV R2, 0xA1B2C3D4
        STORE [BUF + 0x21], R2      ; an unaligned store
        LOADB R0, [BUF + 0x22]
        MOV R1, 0xC3
        CALL check
        MOV R2, 0xDEADBEEF
        STORE [0xFFFC], R2          ; the last word of memory is still memory (it is also where
        LOADB R4, [0xFFFF]          ; the stack starts, so read it back before CALL pushes there)
        LOAD R0, [0xFFFC]
        MOV R1, 0xDEADBEEF
        CALL check
        MOV R0, R4                  ; the last byte is the highest byte of that word
        MOV R1, 0xDE
        CALL check

; --- PUSH and POP ---------------------------------------------------------------------------------------
        MOV R5, SP                  ; SP is R7
        PUSH 0x1234                 ; PUSH expression
        MOV R0, R5
        SUB R0, SP                  ; SP went down by 4
        MOV R1, 4
        CALL check
        LOAD R0, [SP]               ; mem32[SP] is what was pushed
        MOV R1, 0x1234
        CALL check
        MOV R2, 0x5678
        PUSH R2                     ; PUSH register
        POP R0                      ; last in, first out
        MOV R1, 0x5678
        CALL check
        POP R0
        MOV R1, 0x1234
        CALL check
        MOV R0, SP                  ; SP is back where it was
        MOV R1, R5
        CALL check
        MOV R0, R7                  ; and R7 is SP
        MOV R1, R5
        CALL check

; --- none of them changes FLAGS -------------------------------------------------------------------------
        PUSH CF | ZF | SF | OF      ; set four flags with POPF (CPL 0: every defined bit is written)
        POPF
        MOV R2, 1
        LOAD R2, [BUF]
        STORE [BUF], R2
        LOADB R2, [BUF]
        STOREB [BUF], R2
        PUSH R2
        POP R2
        PUSHF
        POP R0
        MOV R1, CF | ZF | SF | OF
        CALL check
        PUSH 0                      ; clear them again
        POPF
        MOV R0, 0                   ; and no flag is left set
        PUSHF
        POP R0
        MOV R1, 0
        CALL check

        MOV R1, done_text
        CALL puts
        PUSH 0                      ; finish with FLAGS = 0 (CALL/CMP in the helpers changed them)
        POPF
        OUT POWER, R6

; check: print '.' if R0 = R1, else 'F' and count a failure (clobbers R1)
check:  CMP R0, R1
        JNE check.fail
        MOV R1, '.'
        OUT CONSOLE, R1
        RET
check.fail:
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

title:  .asciz "data movement: "
done_text:
        .asciz " ok\n"
