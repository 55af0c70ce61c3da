; jumps.s — every conditional jump, taken and not taken, with every alias; JMP and CALL to a label
; and to a register; RET; NOP.
;
; The conditions are x86's: L is SF ≠ OF, LE is ZF or SF ≠ OF, A is ¬CF ∧ ¬ZF, BE is CF ∨ ZF.
; Each case loads FLAGS with POPF, then runs
;         MOV R0, 'T'
;         Jcc $ + 16        ; taken: skip the next instruction
;         MOV R0, 'n'
; and prints R0: 'T' if the jump was taken, 'n' if not. Cases (flags set → expected):
;   JZ   [ZF]→T [0]→n [CF | SF | OF]→n
;   JE   [ZF]→T [0]→n
;   JNZ  [0]→T [CF | SF | OF]→T [ZF]→n
;   JNE  [0]→T [ZF]→n
;   JC   [CF]→T [ZF | SF | OF]→n
;   JB   [CF]→T [0]→n
;   JNC  [ZF | SF | OF]→T [CF]→n
;   JAE  [0]→T [CF]→n
;   JS   [SF]→T [CF | ZF | OF]→n
;   JNS  [CF | ZF | OF]→T [SF]→n
;   JL   [SF]→T [OF]→T [0]→n [SF | OF]→n
;   JGE  [0]→T [SF | OF]→T [SF]→n [OF]→n
;   JLE  [ZF]→T [SF]→T [OF]→T [0]→n [SF | OF]→n
;   JG   [0]→T [SF | OF]→T [ZF]→n [SF]→n [ZF | SF | OF]→n
;   JA   [0]→T [CF]→n [ZF]→n [CF | ZF]→n
;   JBE  [CF]→T [ZF]→T [CF | ZF]→T [0]→n
; The second line does the same after real comparisons (CMP 3, 5; CMP −1, 1; CMP 5, 5;
; CMP 0x80000000, 1), and the third exercises JMP, CALL, RET and NOP.
;
; expect-console: Tnn Tn TTn Tn Tn Tn Tn Tn Tn Tn TTnn TTnn TTTnn TTnnn Tnnn TTTn \nTTnn TnnT TTTnnTT TnTnT \ncalls: ok\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R5=10 R3=42

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ CF, 0x001
        .equ ZF, 0x040
        .equ SF, 0x080
        .equ OF, 0x800

start:
; JZ
        PUSH ZF
        POPF
        MOV R0, 'T'
        JZ $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH 0
        POPF
        MOV R0, 'T'
        JZ $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH CF | SF | OF
        POPF
        MOV R0, 'T'
        JZ $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JE
        PUSH ZF
        POPF
        MOV R0, 'T'
        JE $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH 0
        POPF
        MOV R0, 'T'
        JE $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JNZ
        PUSH 0
        POPF
        MOV R0, 'T'
        JNZ $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH CF | SF | OF
        POPF
        MOV R0, 'T'
        JNZ $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH ZF
        POPF
        MOV R0, 'T'
        JNZ $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JNE
        PUSH 0
        POPF
        MOV R0, 'T'
        JNE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH ZF
        POPF
        MOV R0, 'T'
        JNE $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JC
        PUSH CF
        POPF
        MOV R0, 'T'
        JC $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH ZF | SF | OF
        POPF
        MOV R0, 'T'
        JC $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JB
        PUSH CF
        POPF
        MOV R0, 'T'
        JB $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH 0
        POPF
        MOV R0, 'T'
        JB $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JNC
        PUSH ZF | SF | OF
        POPF
        MOV R0, 'T'
        JNC $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH CF
        POPF
        MOV R0, 'T'
        JNC $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JAE
        PUSH 0
        POPF
        MOV R0, 'T'
        JAE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH CF
        POPF
        MOV R0, 'T'
        JAE $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JS
        PUSH SF
        POPF
        MOV R0, 'T'
        JS $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH CF | ZF | OF
        POPF
        MOV R0, 'T'
        JS $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JNS
        PUSH CF | ZF | OF
        POPF
        MOV R0, 'T'
        JNS $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH SF
        POPF
        MOV R0, 'T'
        JNS $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JL
        PUSH SF
        POPF
        MOV R0, 'T'
        JL $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH OF
        POPF
        MOV R0, 'T'
        JL $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH 0
        POPF
        MOV R0, 'T'
        JL $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH SF | OF
        POPF
        MOV R0, 'T'
        JL $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JGE
        PUSH 0
        POPF
        MOV R0, 'T'
        JGE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH SF | OF
        POPF
        MOV R0, 'T'
        JGE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH SF
        POPF
        MOV R0, 'T'
        JGE $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH OF
        POPF
        MOV R0, 'T'
        JGE $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JLE
        PUSH ZF
        POPF
        MOV R0, 'T'
        JLE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH SF
        POPF
        MOV R0, 'T'
        JLE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH OF
        POPF
        MOV R0, 'T'
        JLE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH 0
        POPF
        MOV R0, 'T'
        JLE $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH SF | OF
        POPF
        MOV R0, 'T'
        JLE $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JG
        PUSH 0
        POPF
        MOV R0, 'T'
        JG $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH SF | OF
        POPF
        MOV R0, 'T'
        JG $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH ZF
        POPF
        MOV R0, 'T'
        JG $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH SF
        POPF
        MOV R0, 'T'
        JG $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH ZF | SF | OF
        POPF
        MOV R0, 'T'
        JG $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JA
        PUSH 0
        POPF
        MOV R0, 'T'
        JA $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH CF
        POPF
        MOV R0, 'T'
        JA $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH ZF
        POPF
        MOV R0, 'T'
        JA $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH CF | ZF
        POPF
        MOV R0, 'T'
        JA $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; JBE
        PUSH CF
        POPF
        MOV R0, 'T'
        JBE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH ZF
        POPF
        MOV R0, 'T'
        JBE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH CF | ZF
        POPF
        MOV R0, 'T'
        JBE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        PUSH 0
        POPF
        MOV R0, 'T'
        JBE $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
        OUT CONSOLE, '\n'

; --- after real comparisons ------------------------------------------------------------------------
; CMP 3, 5
        MOV R2, 3
        CMP R2, 5
        MOV R0, 'T'
        JL $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 5
        MOV R0, 'T'
        JB $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 5
        MOV R0, 'T'
        JG $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 5
        MOV R0, 'T'
        JA $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; CMP -1, 1
        MOV R2, -1
        CMP R2, 1
        MOV R0, 'T'
        JL $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 1
        MOV R0, 'T'
        JB $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 1
        MOV R0, 'T'
        JG $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 1
        MOV R0, 'T'
        JA $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; CMP 5, 5
        MOV R2, 5
        CMP R2, 5
        MOV R0, 'T'
        JE $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 5
        MOV R0, 'T'
        JGE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 5
        MOV R0, 'T'
        JLE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 5
        MOV R0, 'T'
        JA $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 5
        MOV R0, 'T'
        JG $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 5
        MOV R0, 'T'
        JAE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 5
        MOV R0, 'T'
        JBE $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
; CMP 0x80000000, 1
        MOV R2, 0x80000000
        CMP R2, 1
        MOV R0, 'T'
        JL $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 1
        MOV R0, 'T'
        JGE $ + 16         ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 1
        MOV R0, 'T'
        JA $ + 16          ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 1
        MOV R0, 'T'
        JS $ + 16          ; not taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        CMP R2, 1
        MOV R0, 'T'
        JNS $ + 16         ; taken
        MOV R0, 'n'
        OUT CONSOLE, R0
        OUT CONSOLE, ' '
        OUT CONSOLE, '\n'

; --- JMP, CALL, RET, NOP ------------------------------------------------------------------------
        MOV R6, 0                   ; failures
        MOV R5, 0
        MOV R4, 10
count:  INC R5                      ; a counted loop: JNZ back while R4 ≠ 0
        DEC R4
        JNZ count
        MOV R2, over                ; JMP to an address held in a register
        JMP R2
        INC R6                      ; (skipped)
over:   NOP                         ; NOP does nothing
        MOV R3, 0
        CALL set42                  ; CALL a label: pushes the return address
        MOV R2, set42
        CALL R2                     ; CALL an address held in a register
        CALL ret_addr               ; the pushed address is that of the next instruction
after_call:
        CMP R0, after_call
        JE calls_ok
        INC R6
calls_ok:
        CMP R6, 0
        JNE failed
        MOV R1, ok_text
        CALL puts
        OUT POWER, 0
failed: MOV R1, fail_text
        CALL puts
        OUT POWER, 1

set42:  ADD R3, 21                  ; called twice: R3 = 42
        RET
ret_addr:
        LOAD R0, [SP]               ; the return address on top of the stack
        RET

; puts: print the zero-terminated string at R1 (clobbers R1, R2)
puts:   LOADB R2, [R1]
        CMP R2, 0
        JZ puts.done
        OUT CONSOLE, R2
        INC R1
        JMP puts
puts.done:
        RET

ok_text:
        .asciz "calls: ok\n"
fail_text:
        .asciz "calls: FAILED\n"
