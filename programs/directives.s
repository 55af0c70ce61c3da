; directives.s — the assembler's language: numbers, character literals, expressions with every
; operator and C precedence, `$`, labels, and every directive (.org .word .byte .ascii .asciz
; .space .align .equ).
;
; Each check compares a value computed by the assembler (or read back from the data it laid out)
; with the value worked out by hand, and prints '.' when they agree or 'F' when they do not.
; The exit code is the number of failed checks.
;
; expect-console: directives: .......................................... ok\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R6=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .EQU BASE, 0x800            ; directives are case-insensitive
        .equ TEN, 2 * 5             ; an .equ may hold an expression…
        .equ TWENTY, TEN + TEN      ; …and use another .equ
        .equ TABLE_SIZE, table_end - table  ; …or labels, even ones defined further down

start:  MOV R6, 0                   ; R6 counts the failures
        MOV R1, title
        CALL puts

; --- numbers and character literals ------------------------------------------------------------
        MOV R0, 42
        MOV R1, 0x2A                ; hexadecimal
        CALL check
        MOV R0, 0b101010            ; binary
        MOV R1, 42
        CALL check
        MOV R0, -5                  ; negative numbers are 32-bit two's complement
        MOV R1, 0xFFFFFFFB
        CALL check
        MOV R0, 'A'                 ; a character literal is its code
        MOV R1, 65
        CALL check
        MOV R0, '\n' + '\t' + '\0'  ; escapes: 10 + 9 + 0
        MOV R1, 19
        CALL check
        MOV R0, '\\'                ; backslash
        MOV R1, 92
        CALL check
        MOV R0, '\''                ; single quote
        MOV R1, 39
        CALL check
        MOV R0, 'a' - 'A'           ; characters take part in expressions
        MOV R1, 32
        CALL check

; --- every operator, and C precedence ----------------------------------------------------------
        MOV R0, 2 + 3 * 4           ; * before +
        MOV R1, 14
        CALL check
        MOV R0, (2 + 3) * 4         ; parentheses first
        MOV R1, 20
        CALL check
        MOV R0, 100 / 7             ; integer division
        MOV R1, 14
        CALL check
        MOV R0, 100 % 7             ; remainder
        MOV R1, 2
        CALL check
        MOV R0, 6 - 2 - 1           ; left to right: (6 - 2) - 1
        MOV R1, 3
        CALL check
        MOV R0, 64 / 4 / 2          ; left to right: (64 / 4) / 2
        MOV R1, 8
        CALL check
        MOV R0, 1 << 4 + 1          ; + before <<: 1 << 5
        MOV R1, 32
        CALL check
        MOV R0, 0x80 >> 3
        MOV R1, 16
        CALL check
        MOV R0, 1 << 2 & 7          ; << before &: 4 & 7
        MOV R1, 4
        CALL check
        MOV R0, 0xF0 & 0x3C
        MOV R1, 0x30
        CALL check
        MOV R0, 0xF0 | 0x0F
        MOV R1, 0xFF
        CALL check
        MOV R0, 0xFF ^ 0x0F
        MOV R1, 0xF0
        CALL check
        MOV R0, 1 | 2 ^ 3 & 1       ; & before ^ before |: 1 | (2 ^ (3 & 1)) = 1 | 3
        MOV R1, 3
        CALL check
        MOV R0, ~0                  ; bitwise not
        MOV R1, 0xFFFFFFFF
        CALL check
        MOV R0, -(3 - 10)           ; unary minus of a parenthesised expression
        MOV R1, 7
        CALL check
        MOV R0, ~0x0F & 0xFF        ; unary operators bind tightest
        MOV R1, 0xF0
        CALL check
        MOV R0, TWENTY              ; .equ names
        MOV R1, 20
        CALL check

; --- $ is the address of the current statement --------------------------------------------------
here:   MOV R0, $
        MOV R1, here
        CALL check
        MOV R0, 1
        JMP $ + 16                  ; every instruction is 8 bytes: skip the next one
        MOV R0, 2                   ; (skipped)
        MOV R1, 1
        CALL check
        LOAD R0, [self]             ; `.word $` stores its own address
        MOV R1, self
        CALL check

; --- .org, .word, .byte --------------------------------------------------------------------------
        MOV R0, table               ; .org BASE placed `table` at 0x800
        MOV R1, BASE
        CALL check
        LOAD R0, [table + 8]        ; the third word
        MOV R1, 0x12345678
        CALL check
        LOADB R0, [table + 8]       ; little-endian: the lowest byte comes first
        MOV R1, 0x78
        CALL check
        LOADB R0, [table + 11]
        MOV R1, 0x12
        CALL check
        MOV R0, TABLE_SIZE          ; 3 words and 4 bytes
        MOV R1, 16
        CALL check
        LOAD R0, [bytes]            ; .byte 1, 2, 255, -1 as one word: 0xFFFF0201
        MOV R1, 0xFFFF0201
        CALL check

; --- .ascii, .asciz, .space, .align ---------------------------------------------------------------
        LOAD R0, [text]             ; "ab" then "hi\n" with its zero: 'a' 'b' 'h' 'i'
        MOV R1, 'a' | 'b' << 8 | 'h' << 16 | 'i' << 24
        CALL check
        LOAD R0, [text + 4]         ; '\n', the zero .asciz adds, then .space zeros
        MOV R1, 10
        CALL check
        MOV R0, after_space - gap   ; .space 5 reserved 5 bytes
        MOV R1, 5
        CALL check
        MOV R0, aligned             ; .align 16 moved to a multiple of 16
        AND R0, 15
        MOV R1, 0
        CALL check
        MOV R0, aligned - after_space ; after_space is 0x81B, so .align 16 skipped to 0x820
        MOV R1, 5
        CALL check
        LOAD R0, [aligned]
        MOV R1, 0xCAFE
        CALL check

; --- mnemonics, registers and directives are case-insensitive; labels are not ---------------------
        mov r0, 7
        Add R0, 1
        MOV R1, 8
        call check
        MOV R0, case                ; `Case` and `case` are two different labels, one byte apart
        SUB R0, Case
        MOV R1, 1
        CALL check

        MOV R1, done_text
        CALL puts
        OUT POWER, R6               ; exit code = number of failures

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

title:  .asciz "directives: "
done_text:
        .asciz " ok\n"
self:   .word $
Case:   .byte 1
case:   .byte 2

        .org BASE                   ; the data below starts at exactly 0x800
table:  .word 1, 2, 0x12345678
bytes:  .byte 1, 2, 255, -1
table_end:
text:   .ascii "ab"
        .asciz "hi\n"
gap:    .space 5
after_space:
        .align 16
aligned:
        .word 0xCAFE
