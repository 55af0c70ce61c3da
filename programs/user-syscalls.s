; user-syscalls.s — a tiny operating system: a kernel, a user program, and system calls.
;
; The kernel sets KSP (the stack that interrupts from user mode switch to) and the IDT, then
; "returns" to user mode: it pushes the frame that IRET pops (SP, CPL = 3, FLAGS, PC) and runs IRET.
; The user program may not run OUT (it is privileged), so it asks the kernel with INT 0x80, R0
; choosing the call:   0 exit(R1)   1 putc(R1)   2 puts(R1 = address)   3 getpid() → R0
; The kernel returns with IRET, which restores the user's PC, FLAGS, CPL 3 and SP. When the user
; program tries a privileged instruction (CLI at 0x478), the CPU raises #GP instead, and the
; kernel's #GP handler reports it and skips the instruction.
;
; expect-console: hello from user mode\nmy pid is 42\nkernel: #GP at 0x00000478, user mode may not do that; skipped\nstill alive, stack intact: yes\nbye\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CPL=0 KSP=0xE000

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ IF, 0x200
        .equ KSTACK, 0xE000
        .equ USER_STACK, 0x9000
        .equ SYS_EXIT, 0
        .equ SYS_PUTC, 1
        .equ SYS_PUTS, 2
        .equ SYS_GETPID, 3

; --- kernel -------------------------------------------------------------------------------------------
start:  LIDT idt
        MOV R0, KSTACK
        MOV KSP, R0
        PUSH USER_STACK             ; SP for user mode
        PUSH 3                      ; CPL 3
        PUSH IF                     ; FLAGS: interrupts enabled
        PUSH user                   ; where user mode starts
        IRET                        ; "return" to user mode

; INT 0x80: dispatch on R0.
syscall:
        CMP R0, SYS_PUTC
        JE sys_putc
        CMP R0, SYS_PUTS
        JE sys_puts
        CMP R0, SYS_GETPID
        JE sys_getpid
        CMP R0, SYS_EXIT
        JE sys_exit
        MOV R0, -1                  ; unknown call
        IRET
sys_putc:
        OUT CONSOLE, R1
        IRET
sys_puts:
        PUSH R2                     ; puts clobbers R1 and R2: keep the user's R2
        CALL puts
        POP R2
        IRET
sys_getpid:
        MOV R0, 42
        IRET
sys_exit:
        OUT POWER, R1

; #GP: a user program tried something privileged. Report it and skip the instruction.
gp_handler:
        PUSH R1
        PUSH R2
        PUSH R3
        MOV R1, gp_text
        CALL puts
        LOAD R1, [SP + 12]          ; the faulting instruction
        CALL puthex
        MOV R1, gp_text2
        CALL puts
        LOAD R1, [SP + 12]
        ADD R1, 8
        STORE [SP + 12], R1
        POP R3
        POP R2
        POP R1
        IRET

; --- user program (CPL 3) -----------------------------------------------------------------------------
        .org 0x400
user:   MOV R5, SP                  ; 0x400  remember the stack pointer
        MOV R1, hello               ; 0x408
        MOV R0, SYS_PUTS            ; 0x410
        INT 0x80                    ; 0x418
        MOV R0, SYS_GETPID          ; 0x420
        INT 0x80                    ; 0x428  R0 ← 42
        MOV R4, R0                  ; 0x430
        MOV R1, pid_text            ; 0x438
        MOV R0, SYS_PUTS            ; 0x440
        INT 0x80                    ; 0x448
        MOV R1, R4                  ; 0x450
        CALL print_number           ; 0x458  user code may CALL, compute, use its stack…
        MOV R1, '\n'                ; 0x460
        MOV R0, SYS_PUTC            ; 0x468
        INT 0x80                    ; 0x470
user_cli:
        CLI                         ; 0x478  …but not CLI: #GP
        MOV R1, alive_text
        MOV R0, SYS_PUTS
        INT 0x80
        MOV R1, yes_text
        CMP SP, R5                  ; every IRET gave the user its own SP back
        JE user.report
        MOV R1, no_text
user.report:
        MOV R0, SYS_PUTS
        INT 0x80
        MOV R1, bye_text
        MOV R0, SYS_PUTS
        INT 0x80
        MOV R1, 0                   ; exit(0)
        MOV R0, SYS_EXIT
        INT 0x80

; print_number: print R1 in decimal with putc system calls (user mode; clobbers R0–R3).
print_number:
        MOV R3, 0
print_number.split:
        MOV R2, R1
        MOD R2, 10
        ADD R2, '0'
        PUSH R2
        INC R3
        DIV R1, 10
        CMP R1, 0
        JNE print_number.split
print_number.print:
        POP R1
        MOV R0, SYS_PUTC
        INT 0x80
        DEC R3
        JNZ print_number.print
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
hello:  .asciz "hello from user mode\n"
pid_text:
        .asciz "my pid is "
alive_text:
        .asciz "still alive, stack intact: "
yes_text:
        .asciz "yes\n"
no_text:
        .asciz "no\n"
bye_text:
        .asciz "bye\n"
gp_text:
        .asciz "kernel: #GP at "
gp_text2:
        .asciz ", user mode may not do that; skipped\n"

        .align 4
idt:    .space 4 * 13
        .word gp_handler            ; 13: #GP
        .org idt + 4 * 0x80
        .word syscall               ; 0x80: system calls
