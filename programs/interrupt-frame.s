; interrupt-frame.s — the exact interrupt frame, from CPL 0, CPL 3 and CPL 1.
;
; Delivering vector v: handler ← IDT[v]; remember SP, CPL, FLAGS; if CPL > 0 then SP ← KSP; push
; the old SP, the old CPL, the old FLAGS, then the return address; CPL ← 0, IF ← 0 (the other flags
; are kept). So on entry to a handler:
;     [SP] return PC    [SP+4] old FLAGS    [SP+8] old CPL    [SP+12] old SP
; and IRET pops PC, FLAGS, CPL, SP in that order, so everything is as it was before.
;
; The interrupted code puts what it expects in registers before each interrupt: R3 its FLAGS, R4
; its SP, R5 its CPL, R6 the return address (for INT, the next instruction; for a fault such as
; #DE, the faulting instruction). `verify_frame` makes 7 checks per delivery, printing '.' or 'F':
; entry SP, the four frame words, FLAGS inside the handler (old FLAGS without IF), and CPL 0.
;
;   CPL 0: INT 0x31 (7) + FLAGS and SP restored by IRET (2)
;   CPL 3: INT 0x31 (7) + SP restored (1) + #DE from DIV (7)     (SP switched to KSP = 0xE000)
;   CPL 1: the same; rings 1 and 2 are "supervisor" but still switch stacks
;
; expect-console: CPL 0: .........\nCPL 3: ...............\nCPL 1: ...............\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: CPL=0 KSP=0xE000

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ CF, 0x001
        .equ ZF, 0x040
        .equ SF, 0x080
        .equ IF, 0x200
        .equ OF, 0x800
        .equ KSTACK, 0xE000         ; the kernel stack for interrupts from rings 1–3
        .equ USER_STACK, 0x9000
        .equ RING1_STACK, 0xA000

start:  LIDT idt
        MOV R0, KSTACK
        MOV KSP, R0
        MOV R1, cpl0_text
        CALL puts

; --- CPL 0: no stack switch ------------------------------------------------------------------------
        PUSH CF | SF | IF           ; FLAGS before the interrupt (IF = 1 is harmless: no timer runs)
        POPF
        MOV R3, CF | SF | IF
        MOV R4, SP
        MOV R5, 0
        MOV R6, $ + 16              ; INT's return address: the instruction after the INT
        INT 0x31
        PUSHF                       ; IRET restored FLAGS…
        POP R0
        MOV R1, CF | SF | IF
        CALL check
        MOV R0, SP                  ; …and SP
        MOV R1, R4
        CALL check
        CLI

; --- CPL 3: enter user mode by building the frame that IRET pops ---------------------------------------
        MOV R1, cpl3_text
        CALL puts
        PUSH USER_STACK             ; SP
        PUSH 3                      ; CPL
        PUSH IF | ZF                ; FLAGS
        PUSH user                   ; PC
        IRET

user:   MOV R3, IF | ZF             ; FLAGS as the IRET above set them (MOV changes no flags)
        MOV R4, SP
        MOV R5, 3
        MOV R6, $ + 16
        INT 0x31                    ; a software interrupt from user mode
        MOV R0, SP                  ; SP is back to the user stack
        MOV R1, R4
        INT 0x32                    ; system call "check R0 = R1"
        MOV R6, user_div
user_div:
        DIV R4, 0                   ; #DE from user mode: the frame holds this instruction
        INT 0x33                    ; done: on to ring 1

; --- CPL 1 --------------------------------------------------------------------------------------------
ring1:  MOV R3, IF | CF | OF
        MOV R4, SP
        MOV R5, 1
        MOV R6, $ + 16
        INT 0x31
        MOV R0, SP
        MOV R1, R4
        INT 0x32
        MOV R6, ring1_div
ring1_div:
        DIV R4, 0
        INT 0x34                    ; finished

; --- handlers ------------------------------------------------------------------------------------------
int31:  PUSHF                       ; capture FLAGS before anything changes them
        POP R2
        CALL verify_frame
        IRET

de_handler:
        PUSHF
        POP R2
        CALL verify_frame
        LOAD R0, [SP]               ; resume after the DIV
        ADD R0, 8
        STORE [SP], R0
        IRET

int32:  CALL check                  ; "check R0 = R1" for code that cannot print
        IRET

int33:  MOV R1, cpl1_text           ; user mode is done; now the same from ring 1
        CALL puts
        MOV SP, KSTACK              ; forget this frame: we will not return to it
        PUSH RING1_STACK
        PUSH 1
        PUSH IF | CF | OF
        PUSH ring1
        IRET

int34:  OUT CONSOLE, '\n'
        LOAD R0, [fails]
        OUT POWER, R0

; verify_frame: R2 = FLAGS at handler entry; R3–R6 = what the interrupted code expects.
; Called from a handler, so the frame starts at SP + 4 (above verify_frame's return address).
verify_frame:
        MOV R0, SP
        ADD R0, 4                   ; SP at handler entry
        STORE [frame], R0
        MOV R1, R4                  ; expected: old SP − 16, or KSP − 16 when coming from ring > 0
        CMP R5, 0
        JE vf.same_stack
        MOV R1, KSP
vf.same_stack:
        SUB R1, 16
        CALL check
        LOAD R0, [frame]
        LOAD R0, [R0]               ; [SP]: the return PC
        MOV R1, R6
        CALL check
        LOAD R0, [frame]
        LOAD R0, [R0 + 4]           ; [SP+4]: the old FLAGS
        MOV R1, R3
        CALL check
        LOAD R0, [frame]
        LOAD R0, [R0 + 8]           ; [SP+8]: the old CPL
        MOV R1, R5
        CALL check
        LOAD R0, [frame]
        LOAD R0, [R0 + 12]          ; [SP+12]: the old SP
        MOV R1, R4
        CALL check
        MOV R0, R2                  ; FLAGS in the handler: IF cleared, the rest kept
        MOV R1, R3
        AND R1, ~IF
        CALL check
        SMSW R0                     ; CPL in the handler: 0
        AND R0, 3
        MOV R1, 0
        CALL check
        RET

; check: print '.' if R0 = R1, else 'F' and count it in [fails] (clobbers R1)
check:  CMP R0, R1
        JNE check.fail
        OUT CONSOLE, '.'
        RET
check.fail:
        OUT CONSOLE, 'F'
        LOAD R1, [fails]
        INC R1
        STORE [fails], R1
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
cpl0_text:
        .asciz "CPL 0: "
cpl3_text:
        .asciz "\nCPL 3: "
cpl1_text:
        .asciz "\nCPL 1: "

        .align 4
fails:  .word 0
frame:  .word 0
idt:    .word de_handler            ; 0: #DE
        .org idt + 4 * 0x31
        .word int31, int32, int33, int34
