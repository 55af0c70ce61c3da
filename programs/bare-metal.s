; bare-metal.s — how an operating system uses the machine with no hypervisor at all: rings, the IDT,
; system calls and page tables. The kernel (CPL 0) builds a page table that maps pages 0–9 and 11–15
; to themselves, User and Writable, and leaves page 10 not present; it loads CR3, turns paging on with
; CR0.PG, loads its IDT and drops to user mode (CPL 3) with IRET. The user program asks the kernel for
; everything with INT 0x80 (0 exit(R1), 1 putc(R1), 2 puts(R1), 3 getpid() → R0). Its first store to
; page 10 faults (#PF, CR2 = the address): the kernel maps the page (demand paging), INVLPGs it and
; returns to the store, which runs again. Its CLI is privileged: #GP, which the kernel reports and skips.
;
; expect-console: hello from user mode\nmy pid is 42\nkernel: page 10 mapped on demand\nkernel: #GP at 0x00000488, user mode may not do that; skipped\n[0xA000] = 7, read back: yes\nbye\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CPL=0 KSP=0xE000 CR3=0x3000 CR0=0x80000000

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ IF, 0x200
        .equ KSTACK, 0xE000
        .equ USER_STACK, 0x9000
        .equ PT, 0x3000
        .equ PG, 0x80000000
        .equ P, 1
        .equ W, 2
        .equ U, 4
        .equ SYS_EXIT, 0
        .equ SYS_PUTC, 1
        .equ SYS_PUTS, 2
        .equ SYS_GETPID, 3

; --- kernel -------------------------------------------------------------------------------------------
start:  MOV R1, 0                   ; page number
        MOV R2, PT
map:    MOV R0, R1
        SHL R0, 12                  ; frame = page (identity)
        OR R0, P | W | U
        CMP R1, 10
        JNE map.store
        MOV R0, 0                   ; page 10: not present
map.store:
        STORE [R2], R0
        ADD R2, 4
        INC R1
        CMP R1, 16
        JNE map
        MOV R0, PT
        MOV CR3, R0
        MOV R0, PG
        MOV CR0, R0                 ; paging on (identity: the next fetch is where it was)
        LIDT idt
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
        PUSH R2
        CALL puts
        POP R2
        IRET
sys_getpid:
        MOV R0, 42
        IRET
sys_exit:
        OUT POWER, R1

; #PF: map the faulting page (only page 10 is expected) and return to the faulting instruction.
pf_handler:
        PUSH R0
        PUSH R1
        PUSH R2
        MOV R0, CR2
        SHR R0, 12                  ; the page
        CMP R0, 10
        JNE pf.unexpected
        MOV R1, R0
        SHL R1, 12
        OR R1, P | W | U
        SHL R0, 2
        ADD R0, PT
        STORE [R0], R1              ; map it
        MOV R0, CR2
        INVLPG R0
        MOV R1, pf_text
        CALL puts
        POP R2
        POP R1
        POP R0
        IRET                        ; back to the faulting store
pf.unexpected:
        OUT POWER, 1

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
user:   MOV R1, hello               ; 0x400
        MOV R0, SYS_PUTS            ; 0x408
        INT 0x80                    ; 0x410
        MOV R0, SYS_GETPID          ; 0x418
        INT 0x80                    ; 0x420  R0 ← 42
        MOV R4, R0                  ; 0x428
        MOV R1, pid_text            ; 0x430
        MOV R0, SYS_PUTS            ; 0x438
        INT 0x80                    ; 0x440
        MOV R1, R4                  ; 0x448
        CALL print_number           ; 0x450
        MOV R1, '\n'                ; 0x458
        MOV R0, SYS_PUTC            ; 0x460
        INT 0x80                    ; 0x468
        MOV R0, 7                   ; 0x470
        STORE [0xA000], R0          ; 0x478  page 10 is not present: #PF, then this store again
        LOAD R4, [0xA000]           ; 0x480
user_cli:
        CLI                         ; 0x488  privileged: #GP
        MOV R1, store_text
        MOV R0, SYS_PUTS
        INT 0x80
        MOV R1, yes_text
        CMP R4, 7
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
store_text:
        .asciz "[0xA000] = 7, read back: "
pf_text:
        .asciz "kernel: page 10 mapped on demand\n"
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
        .word pf_handler            ; 14: #PF
        .org idt + 4 * 0x80
        .word syscall               ; 0x80: system calls
