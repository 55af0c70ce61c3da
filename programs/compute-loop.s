; compute-loop.s — pure computation: no I/O in the loops, no privileged instructions, no faults.
;
; Counts and adds the primes below 5000 by trial division (d·d ≤ n, using MUL and MOD), then runs
; a linear congruential generator x ← x·1103515245 + 12345 (mod 2³²) a thousand times from x = 1.
; Every technique should run this at close to native speed: there is nothing to trap on.
;
; expect-console: 669 primes below 5000, sum 1548136\nLCG after 1000 steps: 0xC8AC6B59\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R4=669 R5=1548136

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ LIMIT, 5000

start:  MOV R4, 0                   ; number of primes
        MOV R5, 0                   ; their sum
        MOV R6, 2                   ; n, the candidate
next_n: MOV R2, 2                   ; d, the trial divisor
try_d:  MOV R0, R2
        MUL R0, R2
        CMP R0, R6                  ; d·d > n: no divisor found, n is prime
        JA is_prime
        MOV R0, R6
        MOD R0, R2
        JZ not_prime                ; MOD sets ZF from the remainder
        INC R2
        JMP try_d
is_prime:
        INC R4
        ADD R5, R6
not_prime:
        INC R6
        CMP R6, LIMIT
        JB next_n

        MOV R1, R4
        CALL putdec
        MOV R1, primes_text
        CALL puts
        MOV R1, R5
        CALL putdec
        OUT CONSOLE, '\n'

        MOV R0, 1                   ; x
        MOV R3, 1000
lcg:    MUL R0, 1103515245
        ADD R0, 12345
        DEC R3
        JNZ lcg
        MOV R6, R0
        MOV R1, lcg_text
        CALL puts
        MOV R1, R6
        CALL puthex
        OUT CONSOLE, '\n'
        OUT POWER, 0

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
primes_text:
        .asciz " primes below 5000, sum "
lcg_text:
        .asciz "LCG after 1000 steps: "
