; hello.s — the smallest complete VX program.
;
; It walks a zero-terminated string with a byte load (LOADB), writes each character to the
; console port 0xE9 with OUT, and powers the machine off through port 0xF4 with exit code 0.
;
; expect-console: hello, world\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R0=0 R1=13 CPL=0

        .equ CONSOLE, 0xE9          ; OUT 0xE9, r appends the low byte of r to the console
        .equ POWER, 0xF4            ; OUT 0xF4, r powers off with exit code r

start:  MOV R1, message             ; R1 walks the string
next:   LOADB R0, [R1]              ; R0 ← the byte at R1 (zero-extended)
        CMP R0, 0                   ; the terminating zero?
        JZ done
        OUT CONSOLE, R0             ; print it
        INC R1
        JMP next
done:   SUB R1, message             ; R1 = the length of the string (13)
        OUT POWER, R0               ; R0 = 0 here: exit code 0

message:
        .asciz "hello, world\n"
