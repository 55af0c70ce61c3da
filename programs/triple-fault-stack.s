; triple-fault-stack.s — an interrupt frame that cannot be pushed.
;
; Delivering an exception pushes four words (old SP, old CPL, old FLAGS, return address). Here the
; #DE handler exists, but SP = 0: the first push would go to 0xFFFFFFFC, an address ≥ 0x10000, so
; delivery itself faults. A fault while delivering a fault cannot be handled: the machine stops in
; state `crashed` with reason triple-fault, and neither handler (#DE nor #GP) ever runs.
;
; expect-console: SP = 0, dividing by zero...\n
; expect-state: crashed
; expect-crash: triple-fault
; expect-reg: R2=7 CPL=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4

start:  LIDT idt
        MOV R1, text
        CALL puts
        MOV R2, 7
        MOV SP, 0                   ; no room for the frame below address 0
        DIV R2, 0                   ; #DE, but its frame cannot be pushed → triple fault
        MOV SP, 0x10000             ; never reached
        MOV R1, survived
        CALL puts
        OUT POWER, 1

de_handler:                         ; never runs
gp_handler:
        MOV SP, 0x10000
        MOV R1, handled
        CALL puts
        OUT POWER, 2

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

; --- data --------------------------------------------------------------------------------------------
text:   .asciz "SP = 0, dividing by zero...\n"
survived:
        .asciz "still running?!\n"
handled:
        .asciz "a handler ran?!\n"

        .align 4
idt:    .word de_handler            ; vector 0: #DE
        .space 4 * 12
        .word gp_handler            ; vector 13: #GP
        .space 4 * 18
