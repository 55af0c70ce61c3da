; am-i-in-a-vm.s — "Am I in a VM?" asked with CPUID and SIDT, from the kernel and from user mode.
;
; CPUID reports the CPU's features in R1: bit 0 hardware virtualization (VMX/SVM) available, bit 31
; a hypervisor is present. Bare metal answers 0x1 (VMX, no hypervisor). A hypervisor that intercepts
; CPUID answers for the VM's virtual CPU: hypervisor present, no VMX (KVM's kvm_emulate_cpuid
; answers from the table the VMM set with KVM_SET_CPUID2; QEMU's target/i386/cpu.c and kvmtool's
; filter_cpuid set X86_FEATURE_HYPERVISOR in it, so that Linux guests find it). Like x86's CPUID it
; never faults on classic, so code run directly on the CPU asks the real CPU, and the hypervisor
; never sees it.
;
; SIDT returns the IDTR. Bare metal shows the kernel's own table; a hypervisor that runs guest code
; directly on the CPU keeps the real IDTR on its own table (0xFC000000 in VirtLab), and a directly
; executed SIDT shows that instead (the Red Pill).
;
; The kernel asks both first, then drops to user mode, which asks again and prints through INT 0x80
; (R2 = the string, R3 = the exit-code bit). The exit code's bits: 1 the kernel's CPUID saw a
; hypervisor, 2 user mode's did, 4 the kernel's SIDT found another IDT, 8 user mode's did. On strict
; CPUID and SIDT are privileged: in user mode each raises #GP, which the kernel reports and skips.
;
; isa: classic strict
; expect-console[classic]: kernel: CPUID says no hypervisor\nkernel: SIDT finds its own IDT\nuser: CPUID says no hypervisor\nuser: SIDT finds the kernel's IDT\n
; expect-console[strict]: kernel: CPUID says no hypervisor\nkernel: SIDT finds its own IDT\nuser: #GP: a privileged instruction\nuser: #GP: a privileged instruction\n
; expect-state: powered-off
; expect-exit: 0
;
; Interpretation and hardware assistance answer every CPUID for the virtual CPU (hardware assistance:
; CPUID always exits, reason 10; kvm_emulate_cpuid) and give the guest its own IDTR: CPUID sees the
; hypervisor bit, SIDT the kernel's table.
; expect-console[interpret hardware-assisted classic]: kernel: CPUID says a hypervisor is present\nkernel: SIDT finds its own IDT\nuser: CPUID says a hypervisor is present\nuser: SIDT finds the kernel's IDT\n
; expect-exit[interpret hardware-assisted classic]: 3
; expect-console[interpret hardware-assisted strict]: kernel: CPUID says a hypervisor is present\nkernel: SIDT finds its own IDT\nuser: #GP: a privileged instruction\nuser: #GP: a privileged instruction\n
; expect-exit[interpret hardware-assisted strict]: 1
; Binary translation turns the kernel's CPUID and SIDT into callouts (the virtual CPU's answers), but
; user code runs directly and asks the real CPU: two fidelity violations, recorded.
; expect-console[binary-translation classic]: kernel: CPUID says a hypervisor is present\nkernel: SIDT finds its own IDT\nuser: CPUID says no hypervisor\nuser: SIDT finds another IDT (a hypervisor's)\n
; expect-exit[binary-translation classic]: 9
; expect-console[binary-translation strict]: kernel: CPUID says a hypervisor is present\nkernel: SIDT finds its own IDT\nuser: #GP: a privileged instruction\nuser: #GP: a privileged instruction\n
; expect-exit[binary-translation strict]: 1
; Trap-and-emulate runs all four directly at real CPL 3 on classic (none traps): the real CPU's
; feature word, the hypervisor's IDT. On strict the kernel's CPUID and SIDT trap and are emulated.
; expect-console[trap-and-emulate classic]: kernel: CPUID says no hypervisor\nkernel: SIDT finds another IDT (a hypervisor's)\nuser: CPUID says no hypervisor\nuser: SIDT finds another IDT (a hypervisor's)\n
; expect-exit[trap-and-emulate classic]: 12
; expect-console[trap-and-emulate strict]: kernel: CPUID says a hypervisor is present\nkernel: SIDT finds its own IDT\nuser: #GP: a privileged instruction\nuser: #GP: a privileged instruction\n
; expect-exit[trap-and-emulate strict]: 1

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ IF, 0x200
        .equ KSTACK, 0xE000
        .equ USER_STACK, 0x9000
        .equ HYPERVISOR_BIT, 0x80000000
        .equ NO_ANSWER, 0xFFFFFFFF

start:  LIDT idt
        MOV R5, 0                   ; the exit code
        CPUID                       ; the kernel asks CPUID
        MOV R2, kernel_no
        TEST R1, HYPERVISOR_BIT
        JZ k.cpuid
        MOV R2, kernel_yes
        OR R5, 1
k.cpuid:
        CALL puts
        SIDT R1                     ; the kernel asks SIDT
        MOV R2, kernel_own
        CMP R1, idt
        JE k.sidt
        MOV R2, kernel_other
        OR R5, 4
k.sidt:
        CALL puts
        MOV R0, KSTACK
        MOV KSP, R0
        PUSH USER_STACK             ; enter user mode
        PUSH 3
        PUSH IF
        PUSH user
        IRET

; --- user mode --------------------------------------------------------------------------------------
user:   MOV R1, NO_ANSWER           ; left as is when #GP skips the instruction (strict)
        CPUID                       ; user mode asks CPUID
        CMP R1, NO_ANSWER
        JE u.sidt
        MOV R2, user_no
        MOV R3, 0
        TEST R1, HYPERVISOR_BIT
        JZ u.cpuid
        MOV R2, user_yes
        MOV R3, 2
u.cpuid:
        MOV R0, 1                   ; print R2, then add R3 to the exit code
        INT 0x80
u.sidt: MOV R1, NO_ANSWER
        SIDT R1                     ; user mode asks SIDT
        CMP R1, NO_ANSWER
        JE u.exit
        MOV R2, user_kernels
        MOV R3, 0
        CMP R1, idt
        JE u.print
        MOV R2, user_other
        MOV R3, 8
u.print:
        MOV R0, 1
        INT 0x80
u.exit: MOV R0, 0                   ; exit
        INT 0x80

; --- kernel -----------------------------------------------------------------------------------------
syscall:
        CMP R0, 0
        JE sys.exit
        CALL puts
        OR R5, R3
        IRET
sys.exit:
        OUT POWER, R5

gp_handler:                         ; only on strict: CPUID or SIDT at CPL 3
        MOV R2, gp_text
        CALL puts
        POP R4                      ; the faulting instruction's address: return past it
        ADD R4, 8
        PUSH R4
        IRET

; puts: print the zero-terminated string at R2 (clobbers R2, R4)
puts:   LOADB R4, [R2]
        CMP R4, 0
        JZ puts.done
        OUT CONSOLE, R4
        INC R2
        JMP puts
puts.done:
        RET

kernel_no:    .asciz "kernel: CPUID says no hypervisor\n"
kernel_yes:   .asciz "kernel: CPUID says a hypervisor is present\n"
kernel_own:   .asciz "kernel: SIDT finds its own IDT\n"
kernel_other: .asciz "kernel: SIDT finds another IDT (a hypervisor's)\n"
user_no:      .asciz "user: CPUID says no hypervisor\n"
user_yes:     .asciz "user: CPUID says a hypervisor is present\n"
user_kernels: .asciz "user: SIDT finds the kernel's IDT\n"
user_other:   .asciz "user: SIDT finds another IDT (a hypervisor's)\n"
gp_text:      .asciz "user: #GP: a privileged instruction\n"

        .align 4
idt:    .org idt + 4 * 13
        .word gp_handler            ; 13: #GP
        .org idt + 4 * 128
        .word syscall               ; 128: system calls
