; pv-user-syscalls.s — user-syscalls.s, paravirtualized: the tiny operating system as a Xen guest.
;
; The same kernel and the same user program (byte for byte from 0x400 on), but the kernel runs no
; privileged instruction: it asks the hypervisor instead (virtualization.md, "the hypercall
; interface"; VMCALL n, arguments R1–R3, result R0).
;   LIDT idt              →  VMCALL 1  set_trap_table(R1 = idt)   (also enables the fast system-call path)
;   MOV KSP, r            →  VMCALL 4  stack_switch(R1 = the kernel stack)
;   IRET                  →  VMCALL 7  iret (pops PC, FLAGS, CPL, SP; R0 is left alone)
;   OUT 0xE9, r           →  VMCALL 0  console_write(R1 = the character)
;   OUT 0xF4, r           →  VMCALL 9  shutdown(R1 = the exit code)
; The guest kernel runs at real CPL 1 and its user program at CPL 3. INT 0x80 goes straight to the
; kernel's handler (the trap table is registered), with no hypervisor on the way; the user's CLI at
; 0x478 raises #GP, which the hypervisor reflects into the kernel. console_write returns its result
; in R0 and takes its argument in R1, so the kernel saves R0 around it and puts walks the string
; with R2: the user program sees the same registers after every system call as in user-syscalls.s.
;
; Natively the first VMCALL (at 0x48) raises #UD while IDTR is still 0 and the table at 0 is empty:
; a triple fault, with nothing printed.
;
; runs-on: native paravirtualization hardware-assisted
; twin: user-syscalls.s
; expect-console: hello from user mode\nmy pid is 42\nkernel: #GP at 0x00000478, user mode may not do that; skipped\nstill alive, stack intact: yes\nbye\n
; expect-state: powered-off
; expect-exit[paravirtualization hardware-assisted]: 0
; expect-reg[paravirtualization hardware-assisted]: CPL=0 KSP=0xE000 R0=0 R1=0 R2=52 R4=42 R5=0x9000 SP=0xDFF0 FLAGS=0x40
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault
; expect-reg[native]: PC=0x48 CPL=0 IDTR=0 KSP=0

        .equ HC_CONSOLE_WRITE, 0    ; hypercall numbers
        .equ HC_SET_TRAP_TABLE, 1
        .equ HC_STACK_SWITCH, 4
        .equ HC_IRET, 7
        .equ HC_SHUTDOWN, 9
        .equ IF, 0x200
        .equ KSTACK, 0xE000
        .equ USER_STACK, 0x9000
        .equ SYS_EXIT, 0
        .equ SYS_PUTC, 1
        .equ SYS_PUTS, 2
        .equ SYS_GETPID, 3

        JMP start                   ; natively the table at 0 (IDTR at reset) must hold no handlers
        .org 0x40

; --- kernel -------------------------------------------------------------------------------------------
start:  MOV R1, idt
        VMCALL HC_SET_TRAP_TABLE    ; LIDT idt
        MOV R1, KSTACK
        VMCALL HC_STACK_SWITCH      ; MOV KSP, R1
        PUSH USER_STACK             ; SP for user mode
        PUSH 3                      ; CPL 3
        PUSH IF                     ; FLAGS: interrupts enabled
        PUSH user                   ; where user mode starts
        VMCALL HC_IRET              ; "return" to user mode

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
        VMCALL HC_IRET
sys_putc:
        PUSH R0                     ; console_write sets R0 (its result): keep the user's
        VMCALL HC_CONSOLE_WRITE     ; R1 = the character
        POP R0
        VMCALL HC_IRET
sys_puts:
        PUSH R0
        PUSH R2                     ; puts clobbers R0, R1 and R2: keep the user's R0 and R2
        CALL puts
        POP R2
        POP R0
        VMCALL HC_IRET
sys_getpid:
        MOV R0, 42
        VMCALL HC_IRET              ; the iret hypercall leaves R0 alone: 42 reaches the user
sys_exit:
        VMCALL HC_SHUTDOWN          ; R1 = the exit code

; #GP: a user program tried something privileged. Report it and skip the instruction.
gp_handler:
        PUSH R0
        PUSH R1
        PUSH R2
        PUSH R3
        MOV R1, gp_text
        CALL puts
        LOAD R1, [SP + 16]          ; the faulting instruction
        CALL puthex
        MOV R1, gp_text2
        CALL puts
        LOAD R1, [SP + 16]
        ADD R1, 8
        STORE [SP + 16], R1
        POP R3
        POP R2
        POP R1
        POP R0
        VMCALL HC_IRET

; --- user program (CPL 3), the same as in user-syscalls.s --------------------------------------------
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
        CMP SP, R5                  ; every iret gave the user its own SP back
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

; --- console helpers (guest kernel: they use the console_write hypercall) ----------------------------

; puts: print the zero-terminated string at R1 (clobbers R0, R1, R2; R1 ends at the zero, as natively)
puts:   MOV R2, R1
puts.next:
        LOADB R1, [R2]
        CMP R1, 0
        JZ puts.done
        VMCALL HC_CONSOLE_WRITE     ; R1 = the character
        INC R2
        JMP puts.next
puts.done:
        MOV R1, R2
        RET

; puthex: print R1 as 0x and 8 hex digits (clobbers R0, R1, R2, R3)
puthex: MOV R2, R1
        MOV R1, '0'
        VMCALL HC_CONSOLE_WRITE
        MOV R1, 'x'
        VMCALL HC_CONSOLE_WRITE
        MOV R3, 8
puthex.next:
        MOV R1, R2
        SHR R1, 28                  ; the top nibble
        ADD R1, '0'
        CMP R1, '9'
        JBE puthex.digit
        ADD R1, 'A' - '9' - 1       ; 10–15 → 'A'–'F'
puthex.digit:
        VMCALL HC_CONSOLE_WRITE
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
idt:    .space 4 * 13               ; the trap table, registered with set_trap_table
        .word gp_handler            ; 13: #GP
        .org idt + 4 * 0x80
        .word syscall               ; 0x80: system calls
