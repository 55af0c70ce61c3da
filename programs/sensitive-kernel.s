; sensitive-kernel.s — PUSHF, POPF, SMSW and SIDT in the kernel (CPL 0).
;
; These four are the "sensitive" instructions that x86 does not make privileged. At CPL 0 they
; behave the same on both variants:
;   PUSHF pushes FLAGS, IF included; POPF writes every defined bit (CF 0, ZF 6, SF 7, IF 9,
;   OF 11) and ignores the others; SMSW gives CR0.PG in bit 31 and the CPL in bits 0–1; SIDT
;   gives IDTR. Each check prints '.' or 'F'.
;
; expect-console: PUSHF/POPF: ......\nSMSW: ...\nSIDT: ..\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CR0=0x80000000 CR3=0x800 IDTR=0x700 FLAGS=0 R6=0
;
; Under trap-and-emulate on classic the kernel runs at real CPL 3 with the real IF = 1 and the
; real MMU on, and these four run directly without trapping: PUSHF pushes IF = 1 whatever the
; virtual IF is (checks 1, 3 and 6 fail; the first PUSHF gives 0x200), POPF keeps the real IF (so
; check 2's 0xAC1 and check 4's IF = 1 come out right by accident), SMSW returns 0x80000003 (both
; fail) and SIDT the hypervisor's table 0xFC000000 (both fail). Only MOV from CR0, privileged, traps
; and is emulated. Seven checks fail, hence exit code 7.
; expect-console[trap-and-emulate classic]: PUSHF/POPF: F.F..F\nSMSW: FF.\nSIDT: FF\n
; expect-exit[trap-and-emulate classic]: 7
; expect-reg[trap-and-emulate classic]: R6=7 R4=0x200 R0=0xFC000000

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ IF, 0x200

start:  PUSHF                       ; FLAGS at reset, before anything changes them: 0
        POP R4
        MOV R6, 0                   ; failed checks
        MOV R1, flags_text
        CALL puts

        MOV R0, R4
        MOV R1, 0
        CALL check
        PUSH 0xFFFFFFFF             ; POPF of all ones: only the five defined bits stick
        POPF
        PUSHF
        POP R0
        MOV R1, 0xAC1
        CALL check
        PUSH 0                      ; at CPL 0, POPF can clear IF…
        POPF
        PUSHF
        POP R0
        MOV R1, 0
        CALL check
        PUSH IF                     ; …and set it
        POPF
        PUSHF
        POP R0
        MOV R1, IF
        CALL check
        STI                         ; PUSHF reports what CLI and STI did
        PUSHF
        POP R0
        AND R0, IF
        MOV R1, IF
        CALL check
        CLI
        PUSHF
        POP R0
        AND R0, IF
        MOV R1, 0
        CALL check

        MOV R1, smsw_text
        CALL puts
        SMSW R0                     ; CPL 0, paging off
        MOV R1, 0
        CALL check
        MOV R0, 0x800               ; turn paging on with the identity page table below
        MOV CR3, R0
        MOV R0, 0x80000000
        MOV CR0, R0
        SMSW R0                     ; bit 31 now reflects CR0.PG
        MOV R1, 0x80000000
        CALL check
        MOV R0, CR0                 ; the same bit, read the privileged way
        MOV R1, 0x80000000
        CALL check

        MOV R1, sidt_text
        CALL puts
        LIDT 0x1234                 ; LIDT of a value…
        SIDT R0
        MOV R1, 0x1234
        CALL check
        MOV R2, 0x700
        LIDT R2                     ; …or of a register
        SIDT R0
        MOV R1, 0x700
        CALL check
        OUT CONSOLE, '\n'
        PUSH 0
        POPF
        OUT POWER, R6

; check: print '.' if R0 = R1, else 'F' and count it in R6 (clobbers R1)
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
flags_text:
        .asciz "PUSHF/POPF: "
smsw_text:
        .asciz "\nSMSW: "
sidt_text:
        .asciz "\nSIDT: "

        .org 0x700
        .space 4 * 32               ; an (empty) IDT at 0x700: nothing faults here

        .org 0x800                  ; the page table: virtual page n → physical frame n, present, writable
        .word 0x0003, 0x1003, 0x2003, 0x3003, 0x4003, 0x5003, 0x6003, 0x7003
        .word 0x8003, 0x9003, 0xA003, 0xB003, 0xC003, 0xD003, 0xE003, 0xF003
