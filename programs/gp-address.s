; gp-address.s — #GP (vector 13) for an address ≥ 0x10000.
;
; Memory is 64 KiB: any fetch, load or store at an address ≥ 0x10000 raises #GP, and the return
; address is the faulting instruction. Address arithmetic is 32-bit, so [R3 - 8] with R3 = 4 is
; 0xFFFFFFFC. An instruction fetch from 0x10000 faults too: the JMP itself completes, and the
; fault's return address is 0x10000, the instruction that could not be fetched. The handler prints
; the address, then resumes after the faulting instruction, or at `fetch_back` after a fetch fault.
; #GP does not touch CR2 (only #PF writes it).
;
; expect-console: #GP at 0x00000100\n#GP at 0x00000108\n#GP at 0x00000110\n#GP at 0x00000118\n#GP at 0x00010000\nR0 kept: 0x0000ABCD\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R5=5 R0=0xABCD CR2=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4

start:  LIDT idt
        MOV R5, 0                   ; #GP count (the handler increments it)
        MOV R0, 0xABCD              ; no faulting load may change it
        MOV R1, 0xFFFC
        MOV R2, 0x55
        MOV R3, 4
        JMP tests

        .org 0x100
tests:  LOAD R0, [0x10000]          ; 0x100: one past the end of memory
        STORE [R1 + 4], R2          ; 0x108: 0xFFFC + 4 = 0x10000
        LOADB R0, [R3 - 8]          ; 0x110: 4 − 8 = 0xFFFFFFFC
        STOREB [0x12345], R2        ; 0x118
        JMP 0x10000                 ; 0x120: the fetch at 0x10000 faults
fetch_back:
        MOV R4, R0
        MOV R1, kept_text
        CALL puts
        MOV R1, R4
        CALL puthex
        OUT CONSOLE, '\n'
        MOV R0, R4
        OUT POWER, 0

; #GP handler: print the faulting address; skip the instruction, or come back from a bad fetch.
gp_handler:
        PUSH R1
        PUSH R2
        PUSH R3
        INC R5
        MOV R1, gp_text
        CALL puts
        LOAD R1, [SP + 12]          ; the return PC
        CALL puthex
        OUT CONSOLE, '\n'
        LOAD R1, [SP + 12]
        CMP R1, 0x10000
        JAE gp.fetch                ; the PC itself is outside memory
        ADD R1, 8                   ; a data access: skip the instruction
        JMP gp.return
gp.fetch:
        MOV R1, fetch_back
gp.return:
        STORE [SP + 12], R1
        POP R3
        POP R2
        POP R1
        IRET

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

; --- data --------------------------------------------------------------------------------------------
gp_text:
        .asciz "#GP at "
kept_text:
        .asciz "R0 kept: "

        .align 4
idt:    .space 4 * 13               ; vectors 0–12: none
        .word gp_handler            ; vector 13: #GP
        .space 4 * 18
