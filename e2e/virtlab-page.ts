// A page object for VirtLab: the tests find controls by the accessible names of interfaces.md only, and
// act as a person does: links, clicks, keys, pasting. The production page has no test hook.
import { expect, type Locator, type Page } from '@playwright/test';
import type { TechniqueId } from '../src/hypervisor/technique';
import { LIBRARY } from '../src/scenario/library';
import { decodeLibLink, decodeLink, encodeFragment, isLibFragment } from '../src/scenario/link';
import { type Scenario, scenarioFromSource } from '../src/scenario/scenario';

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

  /** Opens the page (at a share link's fragment, if given) and waits until the worker has loaded the run. */
  async open(fragment?: string): Promise<void> {
    await this.page.goto(fragment ? `/#${fragment}` : '/');
    await expect(this.page.getByRole('heading', { name: 'VirtLab', level: 1 })).toBeVisible();
    // The worker has loaded the program once the machine sits at its first instruction (or, for a link
    // to a moment, paused there).
    await expect(this.status).toHaveText(fragment?.includes('&at=') ? /^Paused/ : /Paused, ready to run/);
  }

  /** Opens a share link holding `source` (one VM) under `technique`, the way a student follows a link. */
  async openProgram(source: string, technique: TechniqueId = 'native'): Promise<void> {
    await this.open(encodeFragment({ ...scenarioFromSource(source), technique }));
    await expect(this.technique).toHaveValue(technique);
  }

  /**
   * Replaces the program in the editor as a person does with one they have written elsewhere: select
   * all, paste. (Typed text would be reshaped by Monaco's auto-indent and auto-closing brackets.)
   */
  async pasteSource(text: string): Promise<void> {
    const origin = new URL(this.page.url()).origin;
    await this.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await this.editorReady();
    await this.page.evaluate((t) => navigator.clipboard.writeText(t), text);
    await this.source.focus();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Control+V');
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

  /**
   * The scenario the page holds, as its address bar says (the page keeps its work in the fragment, a
   * bookmark of it, a moment after each change): poll it with expect.poll.
   */
  addressScenario(): Scenario | null {
    const url = this.page.url();
    const hash = url.indexOf('#');
    // The page writes a short `#lib=` link while the work is a library scenario with only its settings changed.
    if (hash >= 0 && isLibFragment(url.slice(hash))) {
      const lib = decodeLibLink(url, (id) => LIBRARY.find((e) => e.id === id)?.scenario as Record<string, unknown> | undefined);
      return lib.ok ? lib.scenario : null;
    }
    const decoded = decodeLink(url);
    return decoded.ok ? decoded.scenario : null;
  }

  /** The program of VM `vm` as the address bar has it (undefined until the page has written it). */
  sourceText(vm = 0): string | undefined {
    return this.addressScenario()?.vms[vm]?.source;
  }

  /** The lines Monaco draws (the visible ones), as text. */
  get lines(): Locator {
    return this.editor.locator('.view-lines');
  }

  /** Waits for Monaco to replace the plain text area: its input is then the one Source text box. */
  async editorReady(): Promise<void> {
    await expect(this.editor.locator('.monaco-editor').getByRole('textbox', { name: 'Source' })).toHaveCount(1);
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
