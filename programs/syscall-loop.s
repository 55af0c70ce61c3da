; syscall-loop.s — a user program that makes 200 system calls in a loop.
;
; Each INT 0x80 crosses from CPL 3 to the kernel (switching to the kernel stack KSP) and each IRET
; crosses back. Natively that is cheap; under trap-and-emulate or binary translation every one of
; them goes through the hypervisor, which is what this program is for measuring.
; System calls: R0 = 1 add(R1) adds R1 to a kernel counter; R0 = 0 exit prints the totals and
; powers off.
;
; expect-console: 200 system calls, sum of arguments 20100\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CPL=0 R4=201

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ IF, 0x200
        .equ KSTACK, 0xE000
        .equ USER_STACK, 0x9000
        .equ CALLS, 200

start:  LIDT idt
        MOV R0, KSTACK
        MOV KSP, R0
        PUSH USER_STACK
        PUSH 3
        PUSH IF
        PUSH user
        IRET

; --- user mode: call add(1), add(2), …, add(200), then exit ------------------------------------------
user:   MOV R4, 1
user.loop:
        MOV R1, R4
        MOV R0, 1
        INT 0x80                    ; add(R4)
        INC R4
        CMP R4, CALLS
        JBE user.loop
        MOV R0, 0
        INT 0x80                    ; exit

; --- kernel: INT 0x80 ---------------------------------------------------------------------------------
syscall:
        CMP R0, 0
        JE sys.exit
        PUSH R2                     ; the kernel keeps its state in memory, not in the user's registers
        LOAD R2, [calls]
        INC R2
        STORE [calls], R2
        LOAD R2, [sum]
        ADD R2, R1
        STORE [sum], R2
        POP R2
        IRET
sys.exit:
        LOAD R1, [calls]
        CALL putdec
        MOV R1, calls_text
        CALL puts
        LOAD R1, [sum]
        CALL putdec
        OUT CONSOLE, '\n'
        OUT POWER, 0

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

; putdec: print R1 in unsigned decimal (clobbers R1, R2, R3)
putdec: MOV R3, 0                   ; digits pushed
putdec.split:
        MOV R2, R1
        MOD R2, 10
        ADD R2, '0'
        PUSH R2                     ; least significant digit first…
        INC R3
        DIV R1, 10
        CMP R1, 0
        JNE putdec.split
putdec.print:
        POP R2                      ; …printed last
        OUT CONSOLE, R2
        DEC R3
        JNZ putdec.print
        RET

; --- data --------------------------------------------------------------------------------------------
calls_text:
        .asciz " system calls, sum of arguments "

        .align 4
calls:  .word 0
sum:    .word 0
idt:    .org idt + 4 * 0x80
        .word syscall
