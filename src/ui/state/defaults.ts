// The program the editor opens with: short enough to read aloud (and to fit a projector at 1280×720),
// and it shows the console port and power-off.
export const DEFAULT_SOURCE = `; Hello, VirtLab! Prints a string on
; the console, then powers off.

      MOV   R2, msg   ; R2 -> next char
loop: LOADB R1, [R2]  ; R1 <- that char
      CMP   R1, 0
      JZ    done      ; end of string?
      OUT   0xE9, R1  ; console port
      INC   R2
      JMP   loop
done: OUT   0xF4, 0   ; power off

msg:  .asciz "Hello, VirtLab!\\n"
`;
