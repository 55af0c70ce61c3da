; undefined-opcode.s — #UD (vector 6): an undefined opcode, and VMCALL on bare metal.
;
; Opcode 0 is undefined, so running into zeroed memory raises #UD; so does opcode 0xFF. VMCALL is
; the hypercall instruction: without a hypervisor that offers hypercalls it raises #UD too (which
; is why a paravirtualized kernel cannot boot natively). The return address is the faulting
; instruction; the handler prints it and resumes 8 bytes further on.
;
; expect-console: #UD at 0x00000100\n#UD at 0x00000200\n#UD at 0x00000210\nR0 kept: 0x00001234\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R5=3 R0=0x1234
;
; Under hardware assistance VMCALL always exits and the hypervisor serves Xen's hypercall 17,
; xen_version (XENVER_version in R1): it returns Xen's version, (3 << 16) | 0, in R0, so there is
; one #UD fewer.
; expect-console[hardware-assisted]: #UD at 0x00000200\n#UD at 0x00000210\nR0 kept: 0x00030000\n
; expect-reg[hardware-assisted]: R5=2 R0=0x30000

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4

start:  LIDT idt
        MOV R5, 0                   ; #UD count (the handler increments it)
        MOV R0, 0x1234              ; a hypercall would return its result in R0
        MOV R1, 0                   ; (hypercall 17 is xen_version; R1 = XENVER_version)
        JMP tests

        .org 0x100
tests:  VMCALL 17                   ; 0x100: no hypervisor → #UD, R0 unchanged
        CALL zeros                  ; 0x108
        CALL bad                    ; 0x110
        MOV R4, R0
        MOV R1, kept_text
        CALL puts
        MOV R1, R4
        CALL puthex
        OUT CONSOLE, '\n'
        MOV R0, R4
        OUT POWER, 0

        .org 0x200
zeros:  .space 8                    ; 0x200: eight zero bytes are an instruction with opcode 0 → #UD
        RET                         ; 0x208
bad:    .byte 0xFF, 0, 0, 0         ; 0x210: opcode 0xFF is not in the ISA table → #UD
        .word 0
        RET                         ; 0x218

; #UD handler: print the faulting address and skip the 8-byte instruction.
ud_handler:
        PUSH R1
        PUSH R2
        PUSH R3
        INC R5
        MOV R1, ud_text
        CALL puts
        LOAD R1, [SP + 12]          ; the return PC, above the three saved registers
        CALL puthex
        OUT CONSOLE, '\n'
        LOAD R1, [SP + 12]
        ADD R1, 8
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
ud_text:
        .asciz "#UD at "
kept_text:
        .asciz "R0 kept: "

        .align 4
idt:    .space 4 * 6                ; vectors 0–5: none
        .word ud_handler            ; vector 6: #UD
        .space 4 * 25
