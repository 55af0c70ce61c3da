; smsw-kernel.s — SMSW in the kernel: "which ring am I in?"
;
; SMSW returns the machine status word: bit 31 = CR0.PG, bits 0–1 = the CPL. It is not privileged
; on classic x86, so a kernel that a trap-and-emulate hypervisor runs at CPL 3 reads CPL 3 here
; instead of 0, without any trap: a fidelity violation. On bare metal the kernel sees CPL 0, first
; with paging off, then on (with an identity page table).
;
; expect-console: SMSW = 0x00000000: CPL 0, paging off\nSMSW = 0x80000000: CPL 0, paging on\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CR0=0x80000000 CR3=0x800 CPL=0
;
; Under trap-and-emulate on classic the kernel runs at real CPL 3 and the real MMU is always on
; (shadow paging maps even a guest with paging off), so both SMSWs return 0x80000003: CPL 3, paging
; on, whatever the guest's CR0 says (two fidelity violations). The virtual CR0, CR3 and CPL are
; still right. Binary translation (SMSW is a callout that reads the virtual CPU) and hardware
; assistance keep bare metal's output.
; expect-console[trap-and-emulate classic]: SMSW = 0x80000003: CPL 3, paging on\nSMSW = 0x80000003: CPL 3, paging on\n
; expect-reg[trap-and-emulate classic]: R4=0x80000003

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4

start:  SMSW R4
        CALL report
        MOV R0, page_table          ; identity paging: virtual page n = physical frame n
        MOV CR3, R0
        MOV R0, 0x80000000
        MOV CR0, R0
        SMSW R4
        CALL report
        OUT POWER, 0

; report: print the machine status word in R4 and decode it.
report: MOV R1, smsw_text
        CALL puts
        MOV R1, R4
        CALL puthex
        MOV R1, cpl_text
        CALL puts
        MOV R1, R4
        AND R1, 3                   ; bits 0–1: the CPL
        ADD R1, '0'
        OUT CONSOLE, R1
        MOV R1, off_text
        TEST R4, 0x80000000         ; bit 31: paging
        JZ report.pg
        MOV R1, on_text
report.pg:
        CALL puts
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
smsw_text:
        .asciz "SMSW = "
cpl_text:
        .asciz ": CPL "
off_text:
        .asciz ", paging off\n"
on_text:
        .asciz ", paging on\n"

        .org 0x800
page_table:
        .word 0x0003, 0x1003, 0x2003, 0x3003, 0x4003, 0x5003, 0x6003, 0x7003
        .word 0x8003, 0x9003, 0xA003, 0xB003, 0xC003, 0xD003, 0xE003, 0xF003
