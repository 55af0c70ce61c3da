; page-faults.s — page protection: #PF for a page that is not present, a user access to a
; supervisor page, a user write to a read-only page, and a user jump into kernel code.
;
; The kernel (CPL 0) ignores the User and Writable bits; user code (CPL 3) needs User on every
; page it touches and Writable on every page it writes. On #PF, CR2 holds the faulting virtual
; address and the frame's return address is the faulting instruction, so the kernel can fix the
; cause and retry it (demand paging: page 3 is mapped on first touch) or give up on it (skip it,
; or kill the process). The handler finds the reason by looking at the page-table entry.
;
;   page 0  kernel code and data     P W        page 6  user read-only data   P U
;   page 1  the page table           P W        page 9  user stack            P W U
;   page 2  user code                P U        page 15 kernel stack          P W
;   page 3  (mapped on demand)       -          page 5  kernel-only data      P W
;
; expect-console: kernel: [0x5008] = 0x5EC0DA7A\nkernel wrote [0x6010] through a read-only mapping\nread-only page: [0x6010] = 0x0000600D\n#PF at 0x00002020: CR2 = 0x00006010, write to a read-only page: skipped\n#PF at 0x00002030: CR2 = 0x00005008, user access to a supervisor page: skipped\nR1 after the faulting load = 0x0000DEAD\n#PF at 0x00002058: CR2 = 0x00003ABC, page not present: mapped it, retrying\ndemand-mapped page: [0x3ABC] = 0x12345678\n#PF at 0x00000100: CR2 = 0x00000100, user jump into a supervisor page: process killed\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CR2=0x100 CPL=0 CR0=0x80000000 CR3=0x1000

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ IF, 0x200
        .equ PT, 0x1000
        .equ P, 1                   ; PTE bits
        .equ W, 2
        .equ U, 4
        .equ KSTACK, 0x10000
        .equ USER_STACK, 0xA000

start:  LIDT idt
        MOV R0, KSTACK
        MOV KSP, R0
        MOV R0, PT
        MOV CR3, R0
        MOV R0, 0x80000000
        MOV CR0, R0                 ; paging on

        LOAD R4, [0x5008]           ; the kernel may read a supervisor page…
        MOV R1, kread_text
        CALL puts
        MOV R1, R4
        CALL puthex
        OUT CONSOLE, '\n'
        MOV R0, 0x600D
        STORE [0x6010], R0          ; …and write a read-only one
        MOV R1, kwrite_text
        CALL puts

        PUSH USER_STACK             ; enter user mode at 0x2000
        PUSH 3
        PUSH IF
        PUSH user
        IRET

; INT 0x80, R0 = 1: print the string at R2 and R1 in hex.
syscall:
        PUSH R1
        MOV R1, R2
        CALL puts
        POP R1
        CALL puthex
        OUT CONSOLE, '\n'
        IRET

; #PF handler. Saves R0–R4 (the user's R1 must survive), so the frame starts at SP + 20.
pf_handler:
        PUSH R0
        PUSH R1
        PUSH R2
        PUSH R3
        PUSH R4
        MOV R1, pf_text
        CALL puts
        LOAD R1, [SP + 20]          ; the faulting instruction
        CALL puthex
        MOV R1, cr2_text
        CALL puts
        MOV R1, CR2                 ; the faulting address
        CALL puthex
        MOV R4, CR2                 ; R4 ← the address of its page-table entry
        SHR R4, 12
        SHL R4, 2
        ADD R4, PT
        LOAD R0, [R4]
        TEST R0, P
        JZ pf.not_present
        TEST R0, U
        JZ pf.supervisor
        MOV R1, ro_reason           ; present and User: it must have been a write without Writable
        CALL puts
        JMP pf.skip
pf.supervisor:
        LOAD R0, [SP + 20]
        MOV R1, CR2
        CMP R0, R1                  ; faulting address = PC: the instruction fetch itself faulted
        JE pf.fetch
        MOV R1, sup_reason
        CALL puts
        JMP pf.skip
pf.fetch:
        MOV R1, fetch_reason
        CALL puts
        OUT POWER, 0
pf.not_present:
        MOV R1, np_reason
        CALL puts
        MOV R0, CR2                 ; map the page to the frame of the same number
        AND R0, 0xF000
        OR R0, P | W | U
        STORE [R4], R0
        MOV R0, CR2
        INVLPG R0                   ; (a not-present entry is never cached; this costs little)
        JMP pf.return               ; return to the faulting instruction: it runs again
pf.skip:
        LOAD R0, [SP + 20]
        ADD R0, 8
        STORE [SP + 20], R0
pf.return:
        POP R4
        POP R3
        POP R2
        POP R1
        POP R0
        IRET

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
kread_text:
        .asciz "kernel: [0x5008] = "
kwrite_text:
        .asciz "kernel wrote [0x6010] through a read-only mapping\n"
pf_text:
        .asciz "#PF at "
cr2_text:
        .asciz ": CR2 = "
ro_reason:
        .asciz ", write to a read-only page: skipped\n"
sup_reason:
        .asciz ", user access to a supervisor page: skipped\n"
fetch_reason:
        .asciz ", user jump into a supervisor page: process killed\n"
np_reason:
        .asciz ", page not present: mapped it, retrying\n"

        .align 4
idt:    .space 4 * 14
        .word pf_handler            ; 14: #PF
        .org idt + 4 * 0x80
        .word syscall               ; 0x80

        .org PT
        .word 0x0000 | P | W        ; 0 kernel
        .word 0x1000 | P | W        ; 1 page table
        .word 0x2000 | P | U        ; 2 user code (read-only)
        .word 0                     ; 3 not present (yet)
        .word 0                     ; 4
        .word 0x5000 | P | W        ; 5 kernel-only data
        .word 0x6000 | P | U        ; 6 user read-only data
        .word 0, 0                  ; 7, 8
        .word 0x9000 | P | W | U    ; 9 user stack
        .word 0, 0, 0, 0, 0         ; 10–14
        .word 0xF000 | P | W        ; 15 kernel stack

; --- the user program (page 2) -----------------------------------------------------------------------
        .org 0x2000
user:   LOAD R1, [0x6010]           ; 0x2000  reading a read-only user page is fine
        MOV R2, ro_text             ; 0x2008
        MOV R0, 1                   ; 0x2010
        INT 0x80                    ; 0x2018
        STORE [0x6010], R1          ; 0x2020  writing it is not: #PF, skipped
        MOV R1, 0xDEAD              ; 0x2028
        LOADB R1, [0x5008]          ; 0x2030  a supervisor page: #PF, skipped, R1 unchanged
        MOV R2, sup_text            ; 0x2038
        MOV R0, 1                   ; 0x2040
        INT 0x80                    ; 0x2048
        MOV R1, 0x12345678          ; 0x2050
        STORE [0x3ABC], R1          ; 0x2058  page 3 not present: #PF, mapped, retried
        LOAD R1, [0x3ABC]           ; 0x2060
        MOV R2, demand_text         ; 0x2068
        MOV R0, 1                   ; 0x2070
        INT 0x80                    ; 0x2078
        JMP 0x0100                  ; 0x2080  into kernel code: the fetch at 0x100 faults

ro_text:
        .asciz "read-only page: [0x6010] = "
sup_text:
        .asciz "R1 after the faulting load = "
demand_text:
        .asciz "demand-mapped page: [0x3ABC] = "

        .org 0x5008
        .word 0x5EC0DA7A            ; kernel-only data
        .org 0x6010
        .word 0xBAD0                ; overwritten by the kernel before user mode starts
