// The page at a projector's 1280×720, at 1920×1080 and on a 390×844 phone (issue 14): every register
// shown, no text clipped or overlapping (bounding boxes), the editor's lines and colour key, live typing,
// the Exit controls, axe on the phone layout and on every dialog. Roles and names only (interfaces.md).
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page, test } from '@playwright/test';

const SIZES = [
  { name: 'projector 1280×720', width: 1280, height: 720, phone: false },
  { name: 'full HD 1920×1080', width: 1920, height: 1080, phone: false },
  { name: 'phone 390×844', width: 390, height: 844, phone: true },
] as const;

const REGISTERS = ['CPL', 'IF', 'CR3', 'IDTR', 'Mode', 'R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'PC', 'FLAGS', 'CR0', 'CR2', 'KSP'];

async function open(page: Page, hash = ''): Promise<void> {
  await page.goto(`/${hash}`);
  await expect(page.getByRole('heading', { name: 'VirtLab', level: 1 })).toBeVisible();
  await expect(
    page
      .getByRole('status')
      .filter({ hasText: /Paused|Stopped/ })
      .first(),
  ).toBeVisible();
}

/** Text cut by its box (wider or taller than it shows), outside the editor, lists and form fields. */
async function clippedText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const skip = '.monaco-editor, .sr-only, select, textarea, .ev-summary, .event-list, pre, .code, .guide-body, .tabpanel, .diagram';
    for (const el of document.querySelectorAll<HTMLElement>('.app *')) {
      if (el.offsetParent === null || el.closest(skip)) continue;
      if (!el.textContent?.trim() || el.children.length > 0) continue;
      const cs = getComputedStyle(el);
      const hides = cs.overflowX !== 'visible' || cs.textOverflow === 'ellipsis';
      if (hides && el.scrollWidth > el.clientWidth + 1) out.push(`${el.className || el.tagName}: ${el.textContent.slice(0, 40)}`);
      // Clipped by an ancestor that hides overflow: the text's box reaches outside it.
      const r = el.getBoundingClientRect();
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const acs = getComputedStyle(a);
        if (acs.overflow === 'visible' && acs.overflowX === 'visible' && acs.overflowY === 'visible') continue;
        if (a.scrollHeight > a.clientHeight + 1 && acs.overflowY !== 'hidden') break; // a scroller: reachable by scrolling
        const b = a.getBoundingClientRect();
        if (r.bottom > b.bottom + 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.left < b.left - 1) {
          out.push(`${el.className || el.tagName} cut by ${a.className}: ${el.textContent.slice(0, 40)}`);
        }
        break;
      }
    }
    return out;
  });
}

/** Pairs of the given elements whose boxes overlap. */
async function overlaps(scope: Locator, selector: string): Promise<string[]> {
  return scope.evaluate((root, sel) => {
    const els = [...root.querySelectorAll<HTMLElement>(sel)].filter((e) => e.offsetParent !== null);
    const boxes = els.map((e) => ({ e, r: e.getBoundingClientRect() }));
    const out: string[] = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r;
        const b = boxes[j].r;
        if (boxes[i].e.contains(boxes[j].e) || boxes[j].e.contains(boxes[i].e)) continue;
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 1) out.push(`${boxes[i].e.textContent?.slice(0, 30)} / ${boxes[j].e.textContent?.slice(0, 30)}`);
      }
    return out;
  }, selector);
}

/** Every register row is on screen (scrolled to on a phone) and whole inside the Registers panel. */
async function everyRegisterShown(page: Page, phone: boolean): Promise<void> {
  const panel = page.getByRole('region', { name: 'Registers' });
  if (phone) await panel.scrollIntoViewIfNeeded();
  const box = await panel.boundingBox();
  expect(box).not.toBeNull();
  for (const name of REGISTERS) {
    const row = panel.getByRole('rowheader', { name, exact: true }).first();
    await expect(row, name).toBeVisible();
    await expect(row, name).toBeInViewport({ ratio: 1 });
    const r = await row.boundingBox();
    if (!r || !box) continue;
    expect(r.y + r.height, `${name} inside the panel`).toBeLessThanOrEqual(box.y + box.height + 1);
    expect(r.x + r.width, `${name} inside the panel`).toBeLessThanOrEqual(box.x + box.width + 1);
  }
}

for (const size of SIZES) {
  test.describe(size.name, () => {
    test.use({ viewport: { width: size.width, height: size.height }, hasTouch: size.phone });

    for (const lesson of ['two-vms', 'type2', 'crashing-vm']) {
      test(`${lesson}: every register, the machine's layers and the panels whole, nothing clipped or overlapping`, async ({ page }) => {
        await open(page, `#lib=${lesson}`);
        await page.getByRole('button', { name: 'Step', exact: true }).click();
        await page.getByRole('button', { name: 'Step to event', exact: true }).click();
        await everyRegisterShown(page, size.phone);
        const machine = page.getByRole('region', { name: 'Machine' });
        if (size.phone) await machine.scrollIntoViewIfNeeded();
        // Every layer of the hardware stack whole inside the Machine panel.
        const mbox = await machine.boundingBox();
        for (const layer of await machine.locator('.layer').all()) {
          await expect(layer).toBeVisible();
          const r = await layer.boundingBox();
          if (r && mbox) expect(r.y + r.height).toBeLessThanOrEqual(mbox.y + mbox.height + 1);
        }
        expect(await overlaps(machine, '.layer, .vm-name > *, .layer-name, .ring')).toEqual([]);
        expect(
          await overlaps(page.locator('.workspace'), ':scope [role="region"][aria-label]:not([aria-label="Register values"])'),
        ).toEqual([]);
        expect(await overlaps(page.getByRole('region', { name: 'Events' }), '.event-row > span')).toEqual([]);
        expect(await clippedText(page)).toEqual([]);
        // Nothing makes the page scroll sideways.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
      });
    }

    test('the editor shows its colour key, and at least 16 lines with the notes open', async ({ page }) => {
      await open(page, '#lib=popf-problem');
      await expect(page.getByRole('region', { name: 'Scenario notes' })).toBeVisible();
      const editor = page.getByRole('region', { name: 'Editor' });
      await expect(editor.getByText(/… privileged$/)).toBeVisible();
      await expect(editor.getByText(/sensitive, not privileged$/)).toBeVisible();
      await expect(editor.locator('.monaco-editor')).toBeVisible();
      const lines = await editor.locator('.monaco-editor').evaluate((ed) => {
        const line = ed.querySelector<HTMLElement>('.view-line');
        const scroller = ed.querySelector<HTMLElement>('.monaco-scrollable-element');
        return line && scroller ? Math.floor(scroller.clientHeight / line.getBoundingClientRect().height) : 0;
      });
      expect(lines).toBeGreaterThanOrEqual(size.phone ? 10 : 16);
    });

    test('axe finds nothing on the page and on every dialog', async ({ page }) => {
      test.setTimeout(120_000); // five axe runs
      await open(page, '#lib=popf-problem');
      const axe = () => new AxeBuilder({ page }).exclude('.monaco-editor').analyze();
      expect((await axe()).violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
      for (const name of ['Library', 'Popek–Goldberg', 'Share', 'Keys']) {
        await page.getByRole('button', { name, exact: true }).click();
        const dialog = page.getByRole('dialog');
        await expect(dialog).toBeVisible();
        expect(
          (await axe()).violations.map((v) => `${name}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
        ).toEqual([]);
        await page.keyboard.press('Escape');
        await expect(dialog).toBeHidden();
      }
    });
  });
}

test.describe('at the projector', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('typing the printing loop keeps every line (Enter never takes a completion; Tab does)', async ({ page }) => {
    await open(page);
    const editor = page.getByRole('region', { name: 'Editor' });
    await expect(editor.locator('.monaco-editor')).toBeVisible();
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    for (const line of ['loop: MOV R0, 3', 'DEC R0', 'JNZ loop', 'OUT 0xE9, 65', 'JMP loop']) {
      await page.keyboard.type(line, { delay: 30 });
      await page.keyboard.press('Enter');
    }
    const text = await editor.locator('.view-lines').evaluate((el) =>
      [...el.querySelectorAll('.view-line')]
        .map((l) => ({ top: Number.parseFloat((l as HTMLElement).style.top), text: (l.textContent ?? '').replace(/\u00a0/g, ' ').trim() }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
    expect(text.filter(Boolean)).toEqual(['loop: MOV R0, 3', 'DEC R0', 'JNZ loop', 'OUT 0xE9, 65', 'JMP loop']);
    // Tab takes the completion offered for a label.
    await page.keyboard.type('JMP lo', { delay: 30 });
    await expect(page.locator('.suggest-widget')).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(editor.locator('.view-lines')).toContainText('JMP loop');
  });

  test('Exit controls stay inside the window, close on Escape, and never scroll the page sideways', async ({ page }) => {
    await open(page, '#lib=vtx-exits');
    const summary = page.getByText('Exit controls', { exact: true });
    await summary.click();
    const hlt = page.getByRole('checkbox', { name: 'HLT exiting' });
    await expect(hlt).toBeInViewport({ ratio: 1 });
    const panel = page.locator('.exit-controls > fieldset');
    const box = await panel.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(1280);
    await hlt.click();
    expect(await page.evaluate(() => [document.documentElement.scrollLeft, document.documentElement.scrollWidth])).toEqual([0, 1280]);
    await page.keyboard.press('Escape');
    await expect(hlt).toBeHidden();
  });

  test('an Events filter that hides every event says so and offers them all', async ({ page }) => {
    await open(page, '#lib=popf-problem&technique=trap-and-emulate');
    const events = page.getByRole('region', { name: 'Events' });
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await run.click();
    await expect(events.getByRole('button', { name: /fidelity violation/ })).toBeVisible({ timeout: 15_000 });
    const pause = page.getByRole('button', { name: 'Pause', exact: true });
    if (await pause.isEnabled()) await pause.click();
    // Show only the violations, then switch to the instruction set that has none.
    await events.getByRole('button', { name: /fidelity violation/ }).click();
    await page.getByRole('combobox', { name: 'Instruction set' }).selectOption('strict');
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await page.getByRole('button', { name: 'Step to event', exact: true }).click();
    await expect(events.getByText(/hides them all/)).toBeVisible();
    await events.getByRole('button', { name: 'Show all events' }).click();
    await expect(events.getByText(/hides them all/)).toBeHidden();
    await expect(events.getByRole('option').first()).not.toHaveText(/No events yet/);
  });

  test('two tabs keep their own work, and a link that used to freeze the assembler opens at once', async ({ context }) => {
    test.setTimeout(90_000); // three pages, and an assembler given seconds before it is stopped
    const a = await context.newPage();
    await open(a);
    const editorA = a.getByRole('region', { name: 'Editor' });
    await expect(editorA.locator('.monaco-editor')).toBeVisible();
    await editorA.locator('.view-lines').click();
    await a.keyboard.press('ControlOrMeta+a');
    await a.keyboard.type('; tab A\nHLT\n');
    await expect(editorA.locator('.view-lines')).toContainText('tab A');
    await a.waitForTimeout(800);
    const b = await context.newPage();
    await open(b);
    const editorB = b.getByRole('region', { name: 'Editor' });
    await expect(editorB.locator('.monaco-editor')).toBeVisible();
    await editorB.locator('.view-lines').click();
    await b.keyboard.press('ControlOrMeta+a');
    await b.keyboard.type('; tab B\nHLT\n');
    await expect(editorB.locator('.view-lines')).toContainText('tab B');
    // A hears of B's work and keeps its own; reloaded, A is still A.
    await expect(a.getByText(/Another tab saved other work/)).toBeVisible();
    await a.reload();
    await expect(a.getByRole('region', { name: 'Editor' }).locator('.view-lines')).toContainText('tab A');
    // A .equ doubled 26 times froze the assembler once (2^26 evaluations); each name is now computed once,
    // so the link opens at once, the page answers, and A's work is still A's.
    let src = '.equ a0, 1\n';
    for (let i = 1; i < 26; i++) src += `.equ a${i}, a${i - 1}+a${i - 1}\n`;
    src += 'MOV R0, a25\n';
    const fragment = await a.evaluate(async (source) => {
      const json = JSON.stringify({ format: 'virtlab-scenario', version: 1, vms: [{ name: 'vm1', source }] });
      const stream = new Blob([json]).stream().pipeThrough(new CompressionStream('deflate-raw'));
      const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
      let bin = '';
      for (const x of bytes) bin += String.fromCharCode(x);
      return `s=1.${btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
    }, src);
    const c = await context.newPage();
    await c.goto(`/#${fragment}`);
    await expect(c.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
    await expect(c.getByRole('button', { name: 'Keys', exact: true })).toBeEnabled();
    await a.reload();
    await expect(a.getByRole('region', { name: 'Editor' }).locator('.view-lines')).toContainText('tab A');
  });
});
