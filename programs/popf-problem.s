; popf-problem.s — the x86 POPF problem, seen from a kernel.
;
; Kernels protect critical sections with "save FLAGS, disable interrupts, …, restore FLAGS":
;         PUSHF          ; remember whether interrupts were on
;         CLI
;         …critical section…
;         POPF           ; put IF back as it was
; At CPL 0, POPF writes IF, so this works: here a timer tick that arrives during the critical
; section waits (IF = 0) and is delivered right after POPF turns interrupts back on. At CPL > 0 on
; the classic variant POPF silently keeps IF and does not trap: a trap-and-emulate hypervisor that
; runs this kernel at CPL 3 never sees it, so the guest's interrupts would stay off (the reason
; classic x86 is not virtualizable, Popek–Goldberg Theorem 1). The second half does the opposite:
; IF saved as 0, STI, then POPF must turn interrupts off again.
;
; expect-console: PUSHF saved IF=1\nafter CLI IF=0\nafter POPF IF=1\ntimer tick delivered right after POPF\nPUSHF saved IF=0\nafter STI IF=1\nafter POPF IF=0\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R5=1 FLAGS=0
;
; Under trap-and-emulate on classic the kernel runs at real CPL 3 with the real IF = 1 (the
; hypervisor must take the timer), while CLI and STI trap and change only the virtual IF. So every
; PUSHF pushes the real IF = 1, every POPF keeps it without trapping, and the virtual IF stays where
; the last CLI or STI left it: the tick that comes during the critical section stays pending after
; POPF ("interrupts stayed off") and is only taken at the STI of the second half, and the final POPF
; of 0 leaves the virtual IF at 1. Binary translation (POPF and PUSHF are callouts on the virtual
; FLAGS) and hardware assistance keep bare metal's output.
; expect-console[trap-and-emulate classic]: PUSHF saved IF=1\nafter CLI IF=1\nafter POPF IF=1\nno timer tick after POPF: interrupts stayed off!\nPUSHF saved IF=1\nafter STI IF=1\nafter POPF IF=1\n
; expect-reg[trap-and-emulate classic]: R5=1 FLAGS=0x200

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ TIMER, 0x40
        .equ IF, 0x200

start:  LIDT idt
        MOV R5, 0                   ; timer ticks taken (the handler counts them)

; --- interrupts on: save, disable, restore --------------------------------------------------------
        STI
        PUSHF                       ; save FLAGS (IF = 1)
        LOAD R0, [SP]
        MOV R1, saved_text
        CALL show_if
        CLI                         ; critical section
        MOV R1, cli_text
        CALL show_current_if
        OUT TIMER, 20               ; a tick every 20 instructions: one will arrive during…
        MOV R4, 30
spin:   DEC R4                      ; …this busy loop (60 instructions), and stay pending
        JNZ spin
        POPF                        ; restore IF = 1: the pending tick is taken before the next instruction
after_popf:
        MOV R1, popf_text
        CALL show_current_if
        CMP R5, 1
        JNE no_tick
        LOAD R0, [tick_pc]
        CMP R0, after_popf
        JNE no_tick
        MOV R1, tick_text
        CALL puts
        JMP second
no_tick:
        MOV R1, no_tick_text
        CALL puts

; --- interrupts off: save, enable, restore -----------------------------------------------------------
second: CLI
        PUSHF                       ; save FLAGS (IF = 0)
        LOAD R0, [SP]
        MOV R1, saved_text
        CALL show_if
        STI
        MOV R1, sti_text
        CALL show_current_if
        POPF                        ; restore IF = 0
        MOV R1, popf_text
        CALL show_current_if
        PUSH 0
        POPF
        OUT POWER, 0

; timer handler: count the tick, note where it interrupted, stop the timer.
timer:  PUSH R0
        INC R5
        LOAD R0, [SP + 4]           ; the return address: the instruction the tick came before
        STORE [tick_pc], R0
        OUT TIMER, 0                ; no more ticks
        POP R0
        IRET

; show_current_if: print the string at R1, then "IF=0" or "IF=1" for the current FLAGS.
show_current_if:
        PUSHF                       ; CALL did not change FLAGS: these are the caller's
        POP R0
; show_if: the same for the FLAGS value in R0.
show_if:
        CALL puts
        OUT CONSOLE, 'I'
        OUT CONSOLE, 'F'
        OUT CONSOLE, '='
        AND R0, IF
        SHR R0, 9
        ADD R0, '0'
        OUT CONSOLE, R0
        OUT CONSOLE, '\n'
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
saved_text:
        .asciz "PUSHF saved "
cli_text:
        .asciz "after CLI "
sti_text:
        .asciz "after STI "
popf_text:
        .asciz "after POPF "
tick_text:
        .asciz "timer tick delivered right after POPF\n"
no_tick_text:
        .asciz "no timer tick after POPF: interrupts stayed off!\n"

        .align 4
tick_pc:
        .word 0
idt:    .org idt + 4 * 32
        .word timer                 ; 32: the timer
