; triple-fault.s — an exception with no handler stops the machine.
;
; The IDT is an array of handler addresses. This program loads one that is all zeros and then
; divides by zero: the #DE handler address is 0, which means "no handler", and the machine stops
; in state `crashed` with reason triple-fault (on a PC this is the reset that a triple fault
; causes). Nothing after the DIV runs.
;
; Watch out: at reset IDTR = 0, so the "table" would be the program's own first instructions.
;
; expect-console: dividing by zero with no #DE handler...\n
; expect-state: crashed
; expect-crash: triple-fault
; expect-reg: R2=7 CPL=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4

start:  LIDT empty_idt
        MOV R1, text
        CALL puts
        MOV R2, 7
        DIV R2, 0                   ; #DE → handler 0 → triple fault
        MOV R1, survived            ; never reached
        CALL puts
        OUT POWER, 1

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
text:   .asciz "dividing by zero with no #DE handler...\n"
survived:
        .asciz "still running?!\n"

        .align 4
empty_idt:
        .space 4 * 32               ; 32 vectors, every handler 0
