; pagetable-batch.s — eight page-table entries rewritten three times, on bare metal: the native twin
; of pv-batching.s.
;
; The kernel maps pages 4–11 to frames 11–4 (reversed), then back to 4–11, then reversed again;
; after each round it empties the TLB (CR3 reload) and prints a checksum of what the pages show:
; Σ (page − 3) × [page × 0x1000], which tells the two mappings apart. Natively each entry is one
; STORE. Under paravirtualization the same updates cost a hypercall each, unless they are batched
; (pv-batching.s).
;
; expect-console: round 1: 0x00000E40\nround 2: 0x00001380\nround 3: 0x00000E40\n
; expect-state: powered-off
; expect-exit: 0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ PT, 0x1000
        .equ PG, 0x80000000

start:  MOV R0, PT
        MOV CR3, R0
        MOV R0, PG
        MOV CR0, R0                 ; paging on
        MOV R6, 1                   ; the round
round:  MOV R2, 4                   ; the page
map:    MOV R3, R2                  ; even rounds: page → the same frame
        TEST R6, 1
        JZ map.frame
        MOV R3, 15                  ; odd rounds: page → frame 15 − page
        SUB R3, R2
map.frame:
        SHL R3, 12
        OR R3, 3                    ; present, writable
        MOV R1, R2
        SHL R1, 2
        ADD R1, PT
        STORE [R1], R3              ; one page-table entry
        INC R2
        CMP R2, 12
        JB map
        MOV R0, CR3                 ; empty the TLB
        MOV CR3, R0
        CALL report
        INC R6
        CMP R6, 4
        JB round
        OUT POWER, 0

; report: print "round R6: " and the checksum of pages 4–11.
report: MOV R4, 0
        MOV R2, 4
report.sum:
        MOV R1, R2
        SHL R1, 12
        LOAD R0, [R1]
        MOV R1, R2
        SUB R1, 3
        MUL R0, R1
        ADD R4, R0
        INC R2
        CMP R2, 12
        JB report.sum
        MOV R1, round_text
        CALL puts
        MOV R1, R6
        ADD R1, '0'
        OUT CONSOLE, R1
        MOV R1, colon_text
        CALL puts
        MOV R1, R4
        CALL puthex
        OUT CONSOLE, '\n'
        RET

puts:   LOADB R2, [R1]
        CMP R2, 0
        JZ puts.done
        OUT CONSOLE, R2
        INC R1
        JMP puts
puts.done:
        RET

puthex: MOV R2, R1
        OUT CONSOLE, '0'
        OUT CONSOLE, 'x'
        MOV R3, 8
puthex.next:
        MOV R1, R2
        SHR R1, 28
        ADD R1, '0'
        CMP R1, '9'
        JBE puthex.digit
        ADD R1, 'A' - '9' - 1
puthex.digit:
        OUT CONSOLE, R1
        SHL R2, 4
        DEC R3
        JNZ puthex.next
        RET

round_text:
        .asciz "round "
colon_text:
        .asciz ": "

        .org PT                     ; pages 0 (code), 1 (this table) and 15 (the stack): identity
        .word 0x0003, 0x1003
        .org PT + 4 * 15
        .word 0xF003

        .org 0x4000                 ; what each frame holds: its number × 0x10
        .word 0x40
        .org 0x5000
        .word 0x50
        .org 0x6000
        .word 0x60
        .org 0x7000
        .word 0x70
        .org 0x8000
        .word 0x80
        .org 0x9000
        .word 0x90
        .org 0xA000
        .word 0xA0
        .org 0xB000
        .word 0xB0
