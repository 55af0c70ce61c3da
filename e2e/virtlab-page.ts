// A page object for VirtLab: the tests find controls by the accessible names of interfaces.md only.
import { expect, type Locator, type Page } from '@playwright/test';

export class VirtLabPage {
  readonly editor: Locator;
  readonly source: Locator;
  readonly run: Locator;
  readonly pause: Locator;
  readonly step: Locator;
  readonly reset: Locator;
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

  /** The program the editor holds. */
  async sourceText(): Promise<string> {
    return this.page.evaluate(() => window.__virtlab?.getSource() ?? '');
  }

  /** Waits for Monaco to replace the plain text area. */
  async editorReady(): Promise<void> {
    await this.page.waitForFunction(() => window.__virtlab?.editorReady() === true);
  }
}

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
