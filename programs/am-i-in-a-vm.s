; am-i-in-a-vm.s — "Am I in a VM?" asked with CPUID, from the kernel and from user mode.
;
; CPUID reports the CPU's features in R1: bit 0 hardware virtualization (VMX/SVM) available, bit 31
; a hypervisor is present. Bare metal answers 0x1 (VMX, no hypervisor). A hypervisor that intercepts
; CPUID answers for the VM's virtual CPU: hypervisor present, no VMX (KVM sets the bit in the CPUID
; table it gives the VM, so that Linux guests find it: arch/x86/kvm/cpuid.c). Like x86's CPUID it
; never faults on classic, so code run directly on the CPU asks the real CPU, and the hypervisor
; never sees it.
;
; The kernel asks first, then drops to user mode and asks again; user mode prints through INT 0x80
; (R2 = the string). The exit code holds bit 0: the kernel saw a hypervisor, bit 1: user mode did.
;
; isa: classic
; expect-console: kernel: no hypervisor\nuser: no hypervisor\n
; expect-state: powered-off
; expect-exit: 0
;
; Interpretation and hardware assistance answer every CPUID for the virtual CPU (hardware assistance:
; CPUID always exits, reason 10; kvm_emulate_cpuid): both see the hypervisor bit.
; expect-console[interpret hardware-assisted classic]: kernel: a hypervisor is present\nuser: a hypervisor is present\n
; expect-exit[interpret hardware-assisted classic]: 3
; Binary translation turns the kernel's CPUID into a callout (the virtual CPU's answer), but user code
; runs directly and asks the real CPU: a fidelity violation, recorded.
; expect-console[binary-translation classic]: kernel: a hypervisor is present\nuser: no hypervisor\n
; expect-exit[binary-translation classic]: 1
; Trap-and-emulate runs both directly at real CPL 3 (CPUID does not trap on classic): two violations.
; expect-console[trap-and-emulate classic]: kernel: no hypervisor\nuser: no hypervisor\n
; expect-exit[trap-and-emulate classic]: 0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ IF, 0x200
        .equ KSTACK, 0xE000
        .equ USER_STACK, 0x9000
        .equ HYPERVISOR_BIT, 0x80000000

start:  LIDT idt
        MOV R5, 0                   ; the exit code
        CPUID                       ; the kernel asks
        MOV R2, kernel_no
        TEST R1, HYPERVISOR_BIT
        JZ k.print
        MOV R2, kernel_yes
        OR R5, 1
k.print:
        CALL puts
        MOV R0, KSTACK
        MOV KSP, R0
        PUSH USER_STACK             ; enter user mode
        PUSH 3
        PUSH IF
        PUSH user
        IRET

; --- user mode --------------------------------------------------------------------------------------
user:   CPUID                       ; user mode asks
        MOV R2, user_no
        MOV R3, 0
        TEST R1, HYPERVISOR_BIT
        JZ u.print
        MOV R2, user_yes
        MOV R3, 2
u.print:
        MOV R0, 1                   ; print R2, then add R3 to the exit code
        INT 0x80
        MOV R0, 0                   ; exit
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

; puts: print the zero-terminated string at R2 (clobbers R2, R4)
puts:   LOADB R4, [R2]
        CMP R4, 0
        JZ puts.done
        OUT CONSOLE, R4
        INC R2
        JMP puts
puts.done:
        RET

kernel_no:  .asciz "kernel: no hypervisor\n"
kernel_yes: .asciz "kernel: a hypervisor is present\n"
user_no:    .asciz "user: no hypervisor\n"
user_yes:   .asciz "user: a hypervisor is present\n"

        .align 4
idt:    .org idt + 4 * 128
        .word syscall               ; 128: system calls
