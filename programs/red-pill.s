; red-pill.s — Joanna Rutkowska's Red Pill: detecting a hypervisor from user mode with SIDT.
;
; SIDT is not privileged on classic x86, and a hypervisor that runs guests directly on the CPU
; must keep the real IDTR pointing at its own table (at 0xFC000000 in VirtLab). So an ordinary
; user program can run SIDT and compare: a base near the top of the address space means "I am in
; a virtual machine". On bare metal it simply sees the kernel's IDT (0x800 here). On the strict
; variant SIDT is privileged, traps (#GP) at CPL 3, and the trick cannot even be tried.
;
; The user program prints through system calls: INT 0x80 with R0 = 1 prints the string at R2 and
; the hex value of R1, R0 = 2 prints the string at R2, R0 = 0 exits.
;
; isa: classic strict
; expect-console[classic]: SIDT says the IDT is at 0x00000800\nno hypervisor: this is real hardware\n
; expect-console[strict]: #GP: SIDT is privileged here, the red pill cannot be taken\n
; expect-state: powered-off
; expect-exit[classic]: 0
; expect-exit[strict]: 13
; expect-reg: CPL=0 IDTR=0x800
;
; Under trap-and-emulate and binary translation on classic, guest user code runs directly on the
; CPU at CPL 3, where the real IDTR holds the hypervisor's table: SIDT returns 0xFC000000 and the
; red pill detects the hypervisor (a fidelity violation, recorded). Interpretation and hardware
; assistance give the guest its own IDTR (0x800) and keep bare metal's output.
; expect-console[trap-and-emulate binary-translation classic]: SIDT says the IDT is at 0xFC000000\na hypervisor is watching: this is a virtual machine!\n

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ IF, 0x200
        .equ KSTACK, 0xE000
        .equ USER_STACK, 0x9000
        .equ HYPERVISOR_IDT, 0xFC000000

start:  LIDT idt
        MOV R0, KSTACK
        MOV KSP, R0
        PUSH USER_STACK             ; enter user mode
        PUSH 3
        PUSH IF
        PUSH user
        IRET

; --- user mode --------------------------------------------------------------------------------------
user:   SIDT R1                     ; the red pill
        MOV R4, R1
        MOV R2, sidt_text
        MOV R0, 1
        INT 0x80
        MOV R2, bare_text
        CMP R4, HYPERVISOR_IDT      ; unsigned: at or above the hypervisor's table?
        JB report
        MOV R2, virtual_text
report: MOV R0, 2
        INT 0x80
        MOV R0, 0
        INT 0x80

; --- kernel -----------------------------------------------------------------------------------------
syscall:
        CMP R0, 0
        JE sys.exit
        MOV R4, R1
        MOV R1, R2
        CALL puts
        CMP R0, 2
        JE sys.done
        MOV R1, R4
        CALL puthex
        OUT CONSOLE, '\n'
sys.done:
        IRET
sys.exit:
        OUT POWER, 0

gp_handler:                         ; only on strict: SIDT at CPL 3
        MOV R1, gp_text
        CALL puts
        OUT POWER, 13

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
sidt_text:
        .asciz "SIDT says the IDT is at "
bare_text:
        .asciz "no hypervisor: this is real hardware\n"
virtual_text:
        .asciz "a hypervisor is watching: this is a virtual machine!\n"
gp_text:
        .asciz "#GP: SIDT is privileged here, the red pill cannot be taken\n"

        .org 0x800
idt:    .space 4 * 13
        .word gp_handler            ; 13: #GP
        .org idt + 4 * 0x80
        .word syscall               ; 0x80: system calls
