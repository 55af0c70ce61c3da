; self-modifying.s — code is data: a program that rewrites instructions it is about to run.
;
; Every instruction is 8 bytes: byte 0 the opcode, bytes 1–3 the operand fields, bytes 4–7 the
; 32-bit little-endian immediate. So "MOV R4, 1" at address A keeps its 1 in the word at A + 4,
; and a STORE there changes what the instruction will do. Four experiments:
;   1. patch the immediate of an instruction further down;
;   2. copy a whole instruction (both words) over a NOP, changing its opcode;
;   3. a loop whose ADD instruction increments its own immediate every time round (0 + 1 + … + 9);
;   4. patch the very next instruction: the CPU must fetch it as it is now, not as it was.
; (An interpreter sees this for free; a binary translator must notice the write to code it has
; translated and throw the translation away.)
;
; expect-console: patched immediate: 42\ncopied instruction: 142\nself-incrementing loop: 45\npatched the next instruction: 7\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R4=142 R5=45 R6=7

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4

start:
; --- 1. patch an immediate ---------------------------------------------------------------------------
        MOV R0, 42
        STORE [patch_me + 4], R0    ; bytes 4–7 of the instruction at patch_me
        NOP
patch_me:
        MOV R4, 1                   ; runs as MOV R4, 42
        MOV R1, imm_text
        CALL show

; --- 2. copy a whole instruction ---------------------------------------------------------------------
        LOAD R0, [template]         ; the first word: opcode and operand fields
        STORE [slot], R0
        LOAD R0, [template + 4]     ; the second word: the immediate
        STORE [slot + 4], R0
slot:   NOP                         ; becomes ADD R4, 100
        MOV R1, copy_text
        CALL show

; --- 3. an instruction that counts its own executions -----------------------------------------------
        MOV R5, 0
        MOV R3, 10
loop:
step:   ADD R5, 0                   ; adds 0, then 1, then 2, …
        LOAD R0, [step + 4]
        INC R0
        STORE [step + 4], R0        ; next time round, add one more
        DEC R3
        JNZ loop
        MOV R4, R5
        MOV R1, loop_text
        CALL show

; --- 4. patch the next instruction ------------------------------------------------------------------
        MOV R0, 7
        STORE [next + 4], R0
next:   MOV R6, 0                   ; fetched after the STORE: runs as MOV R6, 7
        MOV R4, R6
        MOV R1, next_text
        CALL show

        MOV R4, 142                 ; leave the registers as the header says
        OUT POWER, 0

; show: print the string at R1, then R4 in decimal and a newline (keeps R4).
show:   CALL puts
        PUSH R4
        MOV R1, R4
        CALL putdec
        OUT CONSOLE, '\n'
        POP R4
        RET

template:
        ADD R4, 100                 ; never run here: only copied

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
imm_text:
        .asciz "patched immediate: "
copy_text:
        .asciz "copied instruction: "
loop_text:
        .asciz "self-incrementing loop: "
next_text:
        .asciz "patched the next instruction: "
