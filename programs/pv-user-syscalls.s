; pv-user-syscalls.s — user-syscalls.s, paravirtualized: the tiny operating system as a Xen PV guest.
;
; The same kernel and the same user program (byte for byte from 0x400 on), but the kernel runs no
; privileged instruction: it calls Xen (docs/xen-interface.md; number = VMCALL's operand, arguments
; R1–R5, result R0). What Linux's 32-bit PV code does at each point:
;   LIDT idt         →  set_trap_table(R1 = trap_info[])          (Linux: xen_load_idt converts each
;                       gate with cvt_gate_to_trap: vector, flags = DPL | TI_IF for interrupt gates)
;   MOV KSP, r       →  stack_switch(R1 = kernel SS, R2 = stack)   (xen_load_sp0)
;   IRET             →  iret                                       (xen_iret: the hypercall page's
;                       iret stub; VX's IRET is privileged, so the return is a hypercall, as on 64-bit)
;   OUT 0xE9, r      →  console_io(CONSOLEIO_write, count, buffer)  (xen_raw_console_write)
;   OUT 0xF4, r      →  sched_op(SCHEDOP_shutdown, &{reason})      (xen_power_off)
; The guest kernel runs at real CPL 1 and its user program at CPL 3. Vector 0x80 is registered as a
; trap gate with DPL 3, so INT 0x80 goes straight to the kernel's handler (x86_32 Xen's
; int80_direct_trap): no trap into Xen, no bounce. The user's CLI at 0x478 is a #GP that Xen catches
; and bounces into the kernel's handler (a trap, then a bounce frame). The kernel keeps every register
; the native kernel keeps (console_io returns its result in R0 and takes R1–R3).
;
; Natively the first VMCALL (at 0x48) raises #UD while IDTR is still 0 and the table at 0 is empty:
; a triple fault, with nothing printed.
;
; runs-on: native paravirtualization
; twin: user-syscalls.s
; expect-console: hello from user mode\nmy pid is 42\nkernel: #GP at 0x00000478, user mode may not do that; skipped\nstill alive, stack intact: yes\nbye\n
; expect-state: powered-off
; expect-exit[paravirtualization]: 0
; expect-reg[paravirtualization]: CPL=0 KSP=0xE000
; expect-console[native]:
; expect-state[native]: crashed
; expect-crash[native]: triple-fault
; expect-reg[native]: PC=0x48 CPL=0 IDTR=0 KSP=0

        .equ __HYPERVISOR_set_trap_table, 0     ; xen/include/public/xen.h
        .equ __HYPERVISOR_stack_switch, 3
        .equ __HYPERVISOR_console_io, 18
        .equ __HYPERVISOR_iret, 23
        .equ __HYPERVISOR_sched_op, 29
        .equ CONSOLEIO_write, 0                 ; xen.h
        .equ SCHEDOP_shutdown, 2                ; sched.h
        .equ FLAT_KERNEL_SS, 0xE021             ; arch-x86/xen-x86_32.h (FLAT_RING1_DS)
        .equ FLAT_KERNEL_CS, 0xE019             ; arch-x86/xen-x86_32.h (FLAT_RING1_CS)
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
start:  MOV R1, trap_table
        VMCALL __HYPERVISOR_set_trap_table     ; LIDT idt
        MOV R1, FLAT_KERNEL_SS
        MOV R2, KSTACK
        VMCALL __HYPERVISOR_stack_switch       ; MOV KSP, r
        PUSH USER_STACK             ; SP for user mode
        PUSH 3                      ; CPL 3
        PUSH IF                     ; FLAGS: interrupts enabled (the iret unmasks events)
        PUSH user                   ; where user mode starts
        VMCALL __HYPERVISOR_iret    ; "return" to user mode

; INT 0x80 (direct, no Xen on the way): dispatch on R0.
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
        VMCALL __HYPERVISOR_iret
sys_putc:
        CALL putc                   ; R1 = the character (all registers kept)
        VMCALL __HYPERVISOR_iret
sys_puts:
        PUSH R2                     ; puts clobbers R1 and R2: keep the user's R2
        CALL puts
        POP R2
        VMCALL __HYPERVISOR_iret
sys_getpid:
        MOV R0, 42
        VMCALL __HYPERVISOR_iret    ; the iret hypercall leaves R0 alone: 42 reaches the user
sys_exit:
        MOV R2, exit_status         ; the user's exit code becomes the shutdown reason (0: poweroff)
        STORE [R2], R1
        MOV R1, SCHEDOP_shutdown
        VMCALL __HYPERVISOR_sched_op

; #GP (bounced by Xen): a user program tried something privileged. Report it and skip the instruction.
gp_handler:
        PUSH R1
        PUSH R2
        PUSH R3
        MOV R1, gp_text
        CALL puts
        LOAD R1, [SP + 12]          ; the faulting instruction (the bounce frame is VX's interrupt frame)
        CALL puthex
        MOV R1, gp_text2
        CALL puts
        LOAD R1, [SP + 12]
        ADD R1, 8
        STORE [SP + 12], R1
        POP R3
        POP R2
        POP R1
        VMCALL __HYPERVISOR_iret

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

; --- console helpers (guest kernel: console_io hypercalls) --------------------------------------------

; putc: print the character in R1 (keeps every register).
putc:   PUSH R0
        PUSH R1
        PUSH R2
        PUSH R3
        STOREB [char_buf], R1
        MOV R1, CONSOLEIO_write
        MOV R2, 1
        MOV R3, char_buf
        VMCALL __HYPERVISOR_console_io
        POP R3
        POP R2
        POP R1
        POP R0
        RET

; puts: print the zero-terminated string at R1 with one console_io (R1 ends at the zero, as
; natively; clobbers R2).
puts:   PUSH R0
        PUSH R3
        MOV R3, R1                  ; the buffer
puts.len:
        LOADB R2, [R1]
        CMP R2, 0
        JZ puts.write
        INC R1
        JMP puts.len
puts.write:
        PUSH R1
        MOV R2, R1
        SUB R2, R3                  ; the count
        MOV R1, CONSOLEIO_write
        VMCALL __HYPERVISOR_console_io
        POP R1
        POP R3
        POP R0
        RET

; puthex: print R1 as 0x and 8 hex digits, built in hex_buf and written with one console_io
; (clobbers R1, R2, R3, as natively).
puthex: PUSH R0
        PUSH R4
        MOV R2, R1
        MOV R4, hex_buf + 2
        MOV R3, 8
puthex.next:
        MOV R1, R2
        SHR R1, 28                  ; the top nibble
        ADD R1, '0'
        CMP R1, '9'
        JBE puthex.digit
        ADD R1, 'A' - '9' - 1       ; 10–15 → 'A'–'F'
puthex.digit:
        STOREB [R4], R1
        INC R4
        SHL R2, 4
        DEC R3
        JNZ puthex.next
        MOV R1, CONSOLEIO_write
        MOV R2, 10
        MOV R3, hex_buf
        VMCALL __HYPERVISOR_console_io
        POP R4
        POP R0
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
hex_buf:
        .ascii "0x00000000"
char_buf:
        .byte 0

        .align 4
exit_status:                        ; struct sched_shutdown { unsigned int reason; }
        .word 0
; The trap table: struct trap_info { uint8 vector; uint8 flags (DPL | TI_IF); uint16 cs; address },
; ended by an entry whose address is 0.
trap_table:
        .byte 13, 0                 ; #GP, DPL 0, trap gate
        .byte FLAT_KERNEL_CS & 0xFF, FLAT_KERNEL_CS >> 8
        .word gp_handler
        .byte 0x80, 3               ; 0x80, DPL 3 (user may INT 0x80), trap gate: int80_direct_trap
        .byte FLAT_KERNEL_CS & 0xFF, FLAT_KERNEL_CS >> 8
        .word syscall
        .word 0, 0                  ; end of the table
