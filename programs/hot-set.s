; hot-set.s — a guest with a small writable working set, for live migration (Clark et al., NSDI 2005).
;
; It writes eight cold pages (0x4000–0xB000) once each, one every 64 iterations, and all the while keeps
; writing two hot pages (0xC000 and 0xD000), for 30,000 iterations. Migrated by pre-copy, its rounds
; shrink to the two hot pages, its writable working set, and the downtime is a small part of the total.
;
; expect-console: hot set: 30000 iterations\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R2=30000

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ COLD, 0x4000
        .equ HOT1, 0xC000
        .equ HOT2, 0xD000
        .equ ITERATIONS, 30000

start:  MOV R1, COLD                ; the next cold page
        MOV R2, 0                   ; iterations done
loop:   STORE [HOT1], R2            ; the hot set: written every iteration
        STORE [HOT2], R2
        MOV R0, R2
        AND R0, 63
        JNZ skip                    ; a cold page every 64 iterations only
        CMP R1, HOT1
        JNC skip                    ; all eight written already
        STORE [R1], R2
        ADD R1, 0x1000
skip:   INC R2
        CMP R2, ITERATIONS
        JC loop

        MOV R1, text
        CALL puts
        MOV R1, R2
        CALL putdec
        MOV R1, tail
        CALL puts
        OUT POWER, 0

; puts: prints the zero-terminated string at R1.
puts:   LOADB R0, [R1]
        CMP R0, 0
        JZ puts_done
        OUT CONSOLE, R0
        INC R1
        JMP puts
puts_done:
        RET

; putdec: prints R1 in decimal (R1 > 0).
putdec: MOV R3, 0                   ; digits pushed
putdec_next:
        MOV R0, R1
        MOD R0, 10
        ADD R0, '0'
        PUSH R0
        INC R3
        DIV R1, 10
        CMP R1, 0
        JNZ putdec_next
putdec_out:
        POP R0
        OUT CONSOLE, R0
        DEC R3
        JNZ putdec_out
        RET

text:   .asciz "hot set: "
tail:   .asciz " iterations\n"
