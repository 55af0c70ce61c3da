; vtx-exits.s — what the VT-x exit controls select: port I/O and CR3 loads, 100 rounds of each.
;
; Each round reads the tick count (IN), writes a byte nowhere (OUT to an unused port) and loads CR3
; (paging stays off, so the load changes nothing the guest can see). On bare metal none of this leaves
; the CPU; under hardware assistance each IN and OUT is an IO_INSTRUCTION exit while I/O exiting is on,
; and each MOV to CR3 is a CR_ACCESS exit only while CR3-load exiting is on (with nested paging the
; hypervisor has no reason to watch CR3, so it is off unless asked for).
;
; expect-console: 100 rounds of IN, OUT and MOV CR3\n
; expect-state: powered-off
; expect-exit: 0
; expect-reg: R3=0

        .equ CONSOLE, 0xE9
        .equ POWER, 0xF4
        .equ TICKS, 0x41

start:  MOV R3, 100                 ; rounds left
        MOV R0, 0x3000              ; a page-table address (paging is off: never walked)
loop:   IN R1, TICKS
        OUT 0x60, R1                ; an unused port: the write is ignored
        MOV CR3, R0
        DEC R3
        JNZ loop
        MOV R2, message
print:  LOADB R1, [R2]
        CMP R1, 0
        JZ done
        OUT CONSOLE, R1
        INC R2
        JMP print
done:   OUT POWER, 0

message:
        .asciz "100 rounds of IN, OUT and MOV CR3\n"
