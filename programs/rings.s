; rings.s — rings 1 and 2: supervisor for memory, but not for privileged instructions.
;
; CPL 1 and 2 are where some kernels put drivers, and where binary translation (ring 1) and Xen
; (ring 1) run a guest kernel. For paging they count as supervisor: CPL 0–2 ignore the User and
; Writable bits, so ring 1 may write a read-only supervisor page. For instructions they are not
; ring 0: every privileged instruction raises #GP at CPL > 0 (CLI here), and on the classic
; variant POPF keeps IF silently at CPL 1 just as at CPL 3. SMSW shows the ring (and CR0.PG) on
; classic; on strict it traps like PUSHF, POPF and SIDT.
;
; The ring-1 and ring-2 code reports with INT 0x80: R0 = 1 prints the string at R2 and R1 in hex,
; R0 = 2 the string at R2 and the caller's FLAGS, R0 = 3 moves on to ring 2, R0 = 0 exits.
;
; expect-console[classic]: ring 1 wrote a read-only supervisor page: 0x00000077\nring 1: SMSW = 0x80000001\nring 1: FLAGS after POPF 0 = 0x00000200\n#GP at 0x00000480 from CPL 1\nring 2: SMSW = 0x80000002\n
; expect-console[strict]: ring 1 wrote a read-only supervisor page: 0x00000077\n#GP at 0x00000438 from CPL 1\nring 1: SMSW = 0x0000DEAD\n#GP at 0x00000460 from CPL 1\nring 1: FLAGS after POPF 0 = 0x00000200\n#GP at 0x00000480 from CPL 1\n#GP at 0x00000508 from CPL 2\nring 2: SMSW = 0x0000DEAD\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CPL=0 CR0=0x80000000

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ IF, 0x200
        .equ KSTACK, 0xE000
        .equ RING_STACK, 0x9000
        .equ PT, 0x1000
        .equ P, 1
        .equ W, 2

start:  LIDT idt
        MOV R0, KSTACK
        MOV KSP, R0
        MOV R0, PT
        MOV CR3, R0
        MOV R0, 0x80000000
        MOV CR0, R0                 ; paging on
        PUSH RING_STACK             ; enter ring 1
        PUSH 1
        PUSH IF
        PUSH ring1
        IRET

; INT 0x80
syscall:
        CMP R0, 0
        JE sys.exit
        CMP R0, 3
        JE sys.ring2
        MOV R4, R1
        MOV R1, R2
        CALL puts
        MOV R1, R4
        CMP R0, 1
        JE sys.print
        LOAD R1, [SP + 4]           ; R0 = 2: the caller's FLAGS
sys.print:
        CALL puthex
        OUT CONSOLE, '\n'
        IRET
sys.ring2:
        MOV SP, KSTACK              ; drop this frame, enter ring 2 instead
        PUSH RING_STACK
        PUSH 2
        PUSH IF
        PUSH ring2
        IRET
sys.exit:
        OUT POWER, 0

; #GP: print the address and the CPL it came from, skip the instruction.
gp_handler:
        PUSH R1
        PUSH R2
        PUSH R3
        MOV R1, gp_text
        CALL puts
        LOAD R1, [SP + 12]          ; the faulting instruction
        CALL puthex
        MOV R1, from_text
        CALL puts
        LOAD R1, [SP + 20]          ; the CPL it ran at
        ADD R1, '0'
        OUT CONSOLE, R1
        OUT CONSOLE, '\n'
        LOAD R1, [SP + 12]
        ADD R1, 8
        STORE [SP + 12], R1
        POP R3
        POP R2
        POP R1
        IRET

; --- ring 1 ------------------------------------------------------------------------------------------
        .org 0x400
ring1:  MOV R1, 0x77                ; 0x400
        STORE [0x4000], R1          ; 0x408  page 4 is Present only: read-only, supervisor
        LOAD R1, [0x4000]           ; 0x410
        MOV R2, rw_text             ; 0x418
        MOV R0, 1                   ; 0x420
        INT 0x80                    ; 0x428
        MOV R1, 0xDEAD              ; 0x430
        SMSW R1                     ; 0x438  classic: PG and CPL 1; strict: #GP
        MOV R2, smsw1_text          ; 0x440
        MOV R0, 1                   ; 0x448
        INT 0x80                    ; 0x450
        PUSH 0                      ; 0x458
        POPF                        ; 0x460  classic: IF kept; strict: #GP
        MOV R2, popf_text           ; 0x468
        MOV R0, 2                   ; 0x470
        INT 0x80                    ; 0x478
        CLI                         ; 0x480  privileged: #GP at CPL 1
        MOV R0, 3                   ; 0x488
        INT 0x80                    ; 0x490  on to ring 2

; --- ring 2 ------------------------------------------------------------------------------------------
        .org 0x500
ring2:  MOV R1, 0xDEAD              ; 0x500
        SMSW R1                     ; 0x508
        MOV R2, smsw2_text          ; 0x510
        MOV R0, 1                   ; 0x518
        INT 0x80                    ; 0x520
        MOV R0, 0                   ; 0x528
        INT 0x80                    ; 0x530

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
rw_text:
        .asciz "ring 1 wrote a read-only supervisor page: "
smsw1_text:
        .asciz "ring 1: SMSW = "
popf_text:
        .asciz "ring 1: FLAGS after POPF 0 = "
smsw2_text:
        .asciz "ring 2: SMSW = "
gp_text:
        .asciz "#GP at "
from_text:
        .asciz " from CPL "

        .align 4
idt:    .space 4 * 13
        .word gp_handler            ; 13: #GP
        .org idt + 4 * 0x80
        .word syscall               ; 0x80

        .org PT                     ; identity paging, all supervisor; page 4 read-only
        .word 0x0000 | P | W, 0x1000 | P | W, 0x2000 | P | W, 0x3000 | P | W
        .word 0x4000 | P            ; read-only
        .word 0x5000 | P | W, 0x6000 | P | W, 0x7000 | P | W, 0x8000 | P | W, 0x9000 | P | W
        .word 0xA000 | P | W, 0xB000 | P | W, 0xC000 | P | W, 0xD000 | P | W, 0xE000 | P | W
        .word 0xF000 | P | W
