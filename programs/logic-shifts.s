; logic-shifts.s — AND, OR, XOR, TEST, NOT and the shifts SHL, SHR, SAR.
;
;   AND, OR, XOR, TEST: ZF and SF from the result; CF = OF = 0. TEST only sets flags.
;   NOT:                sets no flags at all.
;   SHL, SHR, SAR:      count = src & 31; CF = the last bit shifted out (unchanged when the count
;                       is 0); OF = 0; ZF and SF from the result. SHR fills with zeros, SAR with
;                       copies of the sign bit.
;
; Each case sets FLAGS with POPF, runs one instruction on R2, then `verify` compares R2 with R1
; and FLAGS with R4, printing '.' or 'F'.
;
; expect-console: logic and shifts: .............................. ok\n
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

; --- AND, OR, XOR, TEST ------------------------------------------------------------------------------
        PUSH CF | OF | ZF | SF      ; stale flags: all four are recomputed
        POPF
        MOV R2, 0xF0F0
        MOV R3, 0x0FF0
        AND R2, R3                  ; register source
        MOV R1, 0x00F0
        MOV R4, 0
        CALL verify
        PUSH CF | OF
        POPF
        MOV R2, 0xF0
        AND R2, 0x0F
        MOV R1, 0
        MOV R4, ZF
        CALL verify
        MOV R2, 0x80000000
        MOV R3, 1
        OR R2, R3
        MOV R1, 0x80000001
        MOV R4, SF
        CALL verify
        MOV R2, 12345               ; XOR r, r: the classic way to clear a register
        XOR R2, R2
        MOV R1, 0
        MOV R4, ZF
        CALL verify
        MOV R2, 0xFF00FF00
        XOR R2, 0xFFFFFFFF
        MOV R1, 0x00FF00FF
        MOV R4, 0
        CALL verify
        PUSH CF | OF
        POPF
        MOV R2, 0x80                ; TEST: flags of R2 & 0x80, R2 unchanged
        TEST R2, 0x80
        MOV R1, 0x80
        MOV R4, 0
        CALL verify
        MOV R2, 0xF0
        TEST R2, 0x0F
        MOV R1, 0xF0
        MOV R4, ZF
        CALL verify
        MOV R2, 0x80000000
        MOV R3, -1
        TEST R2, R3
        MOV R1, 0x80000000
        MOV R4, SF
        CALL verify

; --- NOT sets no flags -----------------------------------------------------------------------------------
        PUSH CF | ZF | OF           ; flags that do not match the result at all…
        POPF
        MOV R2, 0x0F0F0F0F
        NOT R2
        MOV R1, 0xF0F0F0F0
        MOV R4, CF | ZF | OF        ; …are still there
        CALL verify
        PUSH 0
        POPF
        MOV R2, 0xFFFFFFFF
        NOT R2                      ; a zero result does not set ZF either
        MOV R1, 0
        MOV R4, 0
        CALL verify

; --- SHL -------------------------------------------------------------------------------------------------
        PUSH CF | OF
        POPF
        MOV R2, 1
        SHL R2, 4                   ; the last bit out (bit 28) was 0
        MOV R1, 16
        MOV R4, 0
        CALL verify
        MOV R2, 0x80000001
        SHL R2, 1                   ; bit 31 goes out into CF
        MOV R1, 2
        MOV R4, CF
        CALL verify
        MOV R2, 0xC0000000
        SHL R2, 2                   ; bits 31 then 30 go out: CF = bit 30
        MOV R1, 0
        MOV R4, CF | ZF
        CALL verify
        MOV R2, 0x40000000
        SHL R2, 1                   ; the sign changes, but OF = 0 for every shift
        MOV R1, 0x80000000
        MOV R4, SF
        CALL verify
        MOV R2, 0xFFFFFFFF
        SHL R2, 31
        MOV R1, 0x80000000
        MOV R4, CF | SF
        CALL verify
        MOV R2, 1
        MOV R3, 35                  ; count = 35 & 31 = 3
        SHL R2, R3
        MOV R1, 8
        MOV R4, 0
        CALL verify
        PUSH 0                      ; count 0 (32 & 31): the value and CF = 0 are unchanged
        POPF
        MOV R2, 7
        SHL R2, 32
        MOV R1, 7
        MOV R4, 0
        CALL verify

; --- SHR -------------------------------------------------------------------------------------------------
        MOV R2, 0x80000000
        SHR R2, 31                  ; zeros come in; the last bit out is bit 30
        MOV R1, 1
        MOV R4, 0
        CALL verify
        MOV R2, 3
        SHR R2, 1
        MOV R1, 1
        MOV R4, CF
        CALL verify
        MOV R2, 1
        SHR R2, 1
        MOV R1, 0
        MOV R4, CF | ZF
        CALL verify
        PUSH CF | SF                ; count 0 keeps CF = 1 (SF matches the unchanged value)
        POPF
        MOV R2, 0xFFFFFFFF
        SHR R2, 32
        MOV R1, 0xFFFFFFFF
        MOV R4, CF | SF
        CALL verify
        PUSH SF                     ; …and keeps CF = 0
        POPF
        MOV R2, 0xFFFFFFFF
        MOV R3, 64
        SHR R2, R3
        MOV R1, 0xFFFFFFFF
        MOV R4, SF
        CALL verify
        MOV R2, 0x10
        SHR R2, 33                  ; count 1
        MOV R1, 8
        MOV R4, 0
        CALL verify
        MOV R2, 3
        SHR R2, 33
        MOV R1, 1
        MOV R4, CF
        CALL verify

; --- SAR -------------------------------------------------------------------------------------------------
        MOV R2, 0x80000000
        SAR R2, 4                   ; copies of the sign bit come in
        MOV R1, 0xF8000000
        MOV R4, SF
        CALL verify
        MOV R2, 0xFFFFFFFF
        SAR R2, 31
        MOV R1, 0xFFFFFFFF
        MOV R4, CF | SF
        CALL verify
        MOV R2, 0x7FFFFFFF
        SAR R2, 30                  ; a positive value: zeros come in; bit 29 was 1
        MOV R1, 1
        MOV R4, CF
        CALL verify
        MOV R2, -16                 ; −16 >> 4 = −1; bit 3 was 0
        SAR R2, 4
        MOV R1, -1
        MOV R4, SF
        CALL verify
        PUSH CF                     ; count 0 keeps CF
        POPF
        MOV R2, 5
        SAR R2, 64
        MOV R1, 5
        MOV R4, CF
        CALL verify
        MOV R2, -2
        MOV R3, 1
        SAR R2, R3                  ; −2 >> 1 = −1, bit 0 was 0
        MOV R1, -1
        MOV R4, SF
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

title:  .asciz "logic and shifts: "
done_text:
        .asciz " ok\n"
