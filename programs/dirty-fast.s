; dirty-fast.s — a guest that dirties memory faster than a migration link sends it (Clark et al., NSDI 2005;
; QEMU's auto-converge). It writes twelve pages (0x2000–0xD000) in turn, one store every 40 instructions
; or so, 600 times round: twelve pages dirtied in about 500 instructions, where the default link needs
; 12,000 host cycles to send them. Pre-copy never converges; auto-converge throttles the vCPU until it
; does; post-copy sends each page once (Hines and Gopalan, VEE 2009).
;
; expect-console: dirtied 7200 times\n
; expect-state: powered-off
; expect-exit: 0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ FIRST, 0x2000
        .equ LAST, 0xD000
        .equ TIMES, 600

start:  MOV R2, 0                   ; rounds over the twelve pages
        MOV R4, 0                   ; stores made
round:  MOV R1, FIRST
page:   STORE [R1 + 16], R4         ; dirties the page
        INC R4
        MOV R5, 12                  ; a little work between stores
work:   DEC R5
        JNZ work
        ADD R1, 0x1000
        CMP R1, LAST
        JBE page
        INC R2
        CMP R2, TIMES
        JC round

        MOV R1, text
        CALL puts
        MOV R1, R4
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
putdec: MOV R3, 0
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

text:   .asciz "dirtied "
tail:   .asciz " times\n"
