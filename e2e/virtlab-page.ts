// A page object for VirtLab: the tests find controls by the accessible names of interfaces.md only.
import { expect, type Locator, type Page } from '@playwright/test';

export class VirtLabPage {
  readonly editor: Locator;
  readonly source: Locator;
  readonly run: Locator;
  readonly pause: Locator;
  readonly step: Locator;
  readonly reset: Locator;
  readonly stepToEvent: Locator;
  readonly stepBack: Locator;
  readonly stepBackToEvent: Locator;
  readonly timeline: Locator;
  readonly machine: Locator;
  readonly events: Locator;
  readonly technique: Locator;
  readonly console: Locator;
  readonly registers: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.editor = page.getByRole('region', { name: 'Editor' });
    this.source = this.editor.getByRole('textbox', { name: 'Source' });
    this.run = page.getByRole('button', { name: 'Run', exact: true });
    this.pause = page.getByRole('button', { name: 'Pause', exact: true });
    this.step = page.getByRole('button', { name: 'Step', exact: true });
    this.reset = page.getByRole('button', { name: 'Reset', exact: true });
    this.stepToEvent = page.getByRole('button', { name: 'Step to event', exact: true });
    this.stepBack = page.getByRole('button', { name: 'Step back', exact: true });
    this.stepBackToEvent = page.getByRole('button', { name: 'Step back to event', exact: true });
    this.timeline = page.getByRole('slider', { name: 'Timeline' });
    this.machine = page.getByRole('region', { name: 'Machine' });
    this.events = page.getByRole('region', { name: 'Events' });
    this.technique = page.getByRole('combobox', { name: 'Technique' });
    this.console = page.getByRole('region', { name: 'Console' });
    this.registers = page.getByRole('region', { name: 'Registers' });
    this.status = page.getByRole('status');
  }

  async open(): Promise<void> {
    await this.page.goto('/');
    await expect(this.page.getByRole('heading', { name: 'VirtLab', level: 1 })).toBeVisible();
    // The worker has loaded the default program once the machine sits at its first instruction.
    await expect(this.status).toHaveText(/Paused, ready to run/);
  }

  /**
   * Puts a program into the editor. Monaco (which replaces the plain text area once it has loaded) is
   * given the text through the page's hook: simulated typing would be garbled by auto-closing brackets.
   */
  async setSource(text: string): Promise<void> {
    await this.page.waitForFunction(() => window.__virtlab !== undefined);
    await this.page.evaluate((t) => window.__virtlab?.setSource(t), text);
  }

  /** Where the run is on its timeline: guest instructions retired. */
  async steps(): Promise<number> {
    return Number(await this.timeline.getAttribute('aria-valuenow'));
  }

  /** Waits until the run stands at `n` instructions. */
  async atStep(n: number): Promise<void> {
    await expect(this.timeline).toHaveAttribute('aria-valuenow', String(n));
  }

  /** The Registers panel's text: every virtual and real register. */
  async registerText(): Promise<string> {
    return (await this.registers.locator('table').allTextContents()).join(' | ');
  }

  /** The program the editor holds. */
  async sourceText(): Promise<string> {
    return this.page.evaluate(() => window.__virtlab?.getSource() ?? '');
  }

  /** Waits for Monaco to replace the plain text area. */
  async editorReady(): Promise<void> {
    await this.page.waitForFunction(() => window.__virtlab?.editorReady() === true);
  }
}

/**
 * A guest whose user code makes system calls forever (INT 0x80 into a kernel handler that prints a dot
 * and returns): traps and reflections under trap-and-emulate, no exit at all under hardware assistance,
 * a VM exit for each OUT.
 */
export const SYSCALLS = `        LIDT idt
        MOV R0, 0xE000
        MOV KSP, R0
        PUSH 0x9000
        PUSH 3
        PUSH 0x200
        PUSH user
        IRET
user:   INC R4
        INT 0x80
        JMP user
handler:
        INC R5
        OUT 0xE9, 46
        IRET
        .align 8
idt:    .space 128 * 4
        .word handler
`;

/** A program printing `text` on the console, then powering off. */
export function printing(text: string): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `        MOV   R2, msg
loop:   LOADB R1, [R2]
        CMP   R1, 0
        JZ    done
        OUT   0xE9, R1
        INC   R2
        JMP   loop
done:   OUT   0xF4, 0
msg:    .asciz "${escaped}"
`;
}
