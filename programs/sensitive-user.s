; sensitive-user.s — PUSHF, POPF, SMSW and SIDT in user mode (CPL 3), where the variants differ.
;
;   classic (x86 before VT-x): they run without trapping. PUSHF pushes the real FLAGS, IF
;       included; POPF writes the arithmetic flags but silently keeps IF (the POPF problem);
;       SMSW shows CPL 3; SIDT shows the real IDT base. None of them traps, so a
;       trap-and-emulate hypervisor never gets the chance to fake them.
;   strict (System/370): each one raises #GP and has no effect: nothing is pushed or popped,
;       the destination register keeps its value (0xDEAD here).
;
; The user program reports through system calls (INT 0x80): R0 = 1 prints the string at R2 and
; R1; R0 = 2 prints the string at R2 and the user's FLAGS, read from the interrupt frame; R0 = 0
; exits. The #GP handler prints the faulting address and skips the instruction.
;
; isa: classic strict
; expect-console[classic]: PUSHF pushed 0x00000200\nafter POPF 0: FLAGS = 0x00000200\nafter POPF 0x8C1: FLAGS = 0x00000AC1\nSMSW = 0x00000003\nSIDT = 0x00000600\n
; expect-console[strict]: #GP at 0x00000410\nPUSHF pushed 0x0000DEAD\n#GP at 0x00000448\nafter POPF 0: FLAGS = 0x00000200\n#GP at 0x00000478\nafter POPF 0x8C1: FLAGS = 0x00000200\n#GP at 0x000004A0\nSMSW = 0x0000DEAD\n#GP at 0x000004C8\nSIDT = 0x0000DEAD\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CPL=0 IDTR=0x600

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ CF, 0x001
        .equ ZF, 0x040
        .equ SF, 0x080
        .equ IF, 0x200
        .equ OF, 0x800
        .equ KSTACK, 0xE000
        .equ USER_STACK, 0x9000

start:  LIDT idt
        MOV R0, KSTACK
        MOV KSP, R0
        PUSH USER_STACK             ; enter user mode: the frame IRET pops (SP, CPL, FLAGS, PC)
        PUSH 3
        PUSH IF
        PUSH user
        IRET

; INT 0x80: system calls. The user's FLAGS are at [SP + 4] on entry.
syscall:
        CMP R0, 0
        JE sys.exit
        MOV R4, R1                  ; keep the value: puts clobbers R1
        MOV R1, R2
        CALL puts
        MOV R1, R4
        CMP R0, 1
        JE sys.print
        LOAD R1, [SP + 4]           ; R0 = 2: the caller's FLAGS
sys.print:
        CALL puthex
        OUT CONSOLE, '\n'
        IRET
sys.exit:
        OUT POWER, 0

; #GP: print the faulting address, skip the instruction. Saves what it uses: the user's R1 matters.
gp_handler:
        PUSH R1
        PUSH R2
        PUSH R3
        MOV R1, gp_text
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

; --- the user program, at a fixed address so that the #GP addresses are easy to check ---------------
        .org 0x400
user:   MOV R0, 0xDEAD              ; 0x400
        PUSH R0                     ; 0x408  a marker under whatever PUSHF pushes
        PUSHF                       ; 0x410  classic: pushes FLAGS; strict: #GP, pushes nothing
        POP R1                      ; 0x418  classic: FLAGS; strict: the marker
        MOV R2, pushf_text          ; 0x420
        MOV R0, 1                   ; 0x428
        INT 0x80                    ; 0x430
        MOV SP, USER_STACK          ; 0x438  (the stacks differ between the variants: reset)
        PUSH 0                      ; 0x440
        POPF                        ; 0x448  try to clear every flag, IF included
        MOV R2, popf0_text          ; 0x450
        MOV R0, 2                   ; 0x458
        INT 0x80                    ; 0x460
        MOV SP, USER_STACK          ; 0x468
        PUSH CF | ZF | SF | OF      ; 0x470
        POPF                        ; 0x478  set four flags and clear IF
        MOV R2, popf8c1_text        ; 0x480
        MOV R0, 2                   ; 0x488
        INT 0x80                    ; 0x490
        MOV R1, 0xDEAD              ; 0x498
        SMSW R1                     ; 0x4A0  the machine status word: CPL in bits 0–1
        MOV R2, smsw_text           ; 0x4A8
        MOV R0, 1                   ; 0x4B0
        INT 0x80                    ; 0x4B8
        MOV R1, 0xDEAD              ; 0x4C0
        SIDT R1                     ; 0x4C8  where is the IDT?
        MOV R2, sidt_text           ; 0x4D0
        MOV R0, 1                   ; 0x4D8
        INT 0x80                    ; 0x4E0
        MOV R0, 0                   ; 0x4E8
        INT 0x80                    ; 0x4F0  exit

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
pushf_text:
        .asciz "PUSHF pushed "
popf0_text:
        .asciz "after POPF 0: FLAGS = "
popf8c1_text:
        .asciz "after POPF 0x8C1: FLAGS = "
smsw_text:
        .asciz "SMSW = "
sidt_text:
        .asciz "SIDT = "

        .org 0x600
idt:    .space 4 * 13
        .word gp_handler            ; 13: #GP
        .org idt + 4 * 0x80
        .word syscall               ; 0x80: system calls
