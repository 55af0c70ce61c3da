; privileged-user.s — every privileged instruction raises #GP at CPL 3 and has no effect.
;
; The kernel enters user mode (CPL 3, IF = 1) by building an IRET frame. The user program then
; tries each privileged instruction: IRET, CLI, STI, HLT, IN, OUT, LIDT, MOV to and from CR0,
; CR2, CR3 and KSP, INVLPG. Before each one it puts the instruction's address in R6 (`$ + 8` is
; the address of the statement after the MOV). The #GP handler prints '.' when the frame says
; "this instruction, from CPL 3, with IF still 1", then skips it. The user's attempts to print
; '!', power off, halt, turn paging on (CR0 bit 31), load CR3, KSP or the IDT must all fail; the
; kernel checks that at the end, after the user program's exit system call (INT 0x80).
;
; expect-console: #GP at CPL 3: ..................\nnothing changed: .......\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CR0=0 CR2=0 CR3=0 KSP=0xE000 R5=18 CPL=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ IF, 0x200
        .equ KSTACK, 0xE000
        .equ USER_STACK, 0x9000

start:  LIDT idt
        MOV R0, KSTACK
        MOV KSP, R0
        MOV R5, 0                   ; #GP count
        MOV R1, title
        CALL puts
        PUSH USER_STACK             ; the frame IRET pops: SP, CPL, FLAGS, PC (pushed in reverse)
        PUSH 3
        PUSH IF
        PUSH user
        IRET

; --- user mode -------------------------------------------------------------------------------------------
user:   MOV R0, 0x80000000          ; a value to write to control registers (CR0.PG = 1)
        MOV R1, '!'
        MOV R6, $ + 8
        IRET
        MOV R6, $ + 8
        CLI
        MOV R6, $ + 8
        STI
        MOV R6, $ + 8
        HLT
        MOV R6, $ + 8
        IN R0, 0x41
        MOV R6, $ + 8
        OUT CONSOLE, R1
        MOV R6, $ + 8
        OUT POWER, R1
        MOV R6, $ + 8
        LIDT R0
        MOV R6, $ + 8
        MOV CR0, R0
        MOV R6, $ + 8
        MOV R0, CR0
        MOV R6, $ + 8
        MOV CR2, R0
        MOV R6, $ + 8
        MOV R0, CR2
        MOV R6, $ + 8
        MOV CR3, R0
        MOV R6, $ + 8
        MOV R0, CR3
        MOV R6, $ + 8
        MOV KSP, R0
        MOV R6, $ + 8
        MOV R0, KSP
        MOV R6, $ + 8
        INVLPG R0
        MOV R6, $ + 8
        OUT 0x40, R1                ; not even the timer
        INT 0x80                    ; exit

; --- kernel ------------------------------------------------------------------------------------------------
; #GP handler: '.' if the frame is [R6, IF, 3, USER_STACK]; then skip the instruction.
gp_handler:
        PUSH R0
        PUSH R1
        INC R5
        MOV R1, 'F'
        LOAD R0, [SP + 8]           ; return PC (above the two saved registers)
        CMP R0, R6
        JNE gp.print
        LOAD R0, [SP + 12]          ; FLAGS: IF = 1, nothing else
        CMP R0, IF
        JNE gp.print
        LOAD R0, [SP + 16]          ; CPL
        CMP R0, 3
        JNE gp.print
        LOAD R0, [SP + 20]          ; SP
        CMP R0, USER_STACK
        JNE gp.print
        MOV R1, '.'
gp.print:
        OUT CONSOLE, R1
        LOAD R0, [SP + 8]
        ADD R0, 8
        STORE [SP + 8], R0
        POP R1
        POP R0
        IRET

; INT 0x80: the user program is done. Check that none of its attempts had an effect.
exit:   MOV R4, R0                  ; the user's R0: still 0x80000000 (MOV R0, CRn/KSP, IN failed)
        MOV R6, 0                   ; from now on R6 counts failed checks
        MOV R1, nothing_text
        CALL puts
        MOV R0, R4
        MOV R1, 0x80000000
        CALL check
        MOV R0, CR0                 ; paging still off
        MOV R1, 0
        CALL check
        MOV R0, CR2
        MOV R1, 0
        CALL check
        MOV R0, CR3
        MOV R1, 0
        CALL check
        MOV R0, KSP
        MOV R1, KSTACK
        CALL check
        SIDT R0
        MOV R1, idt
        CALL check
        IN R0, 0x40                 ; timer period still 0
        MOV R1, 0
        CALL check
        OUT CONSOLE, '\n'
        OUT POWER, R6               ; exit code: the failed checks

; check: print '.' if R0 = R1, else 'F' (R6 counts failures; clobbers R1)
check:  CMP R0, R1
        JNE check.fail
        OUT CONSOLE, '.'
        RET
check.fail:
        OUT CONSOLE, 'F'
        INC R6
        RET

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
title:  .asciz "#GP at CPL 3: "
nothing_text:
        .asciz "\nnothing changed: "

        .align 4
idt:    .space 4 * 13
        .word gp_handler            ; 13: #GP
        .org idt + 4 * 0x80
        .word exit                  ; 0x80: system call
