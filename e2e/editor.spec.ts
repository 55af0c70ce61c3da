// The editor: Monaco loaded from this machine, the VX language, assembly errors as markers, breakpoints
// (glyph margin and F9), the current instruction, hover docs, completion, VM tabs and the fallback.
import { expect, type Locator, type Page, type Request, test } from '@playwright/test';
import { encodeFragment } from '../src/scenario/link';
import { scenarioFromSource } from '../src/scenario/scenario';
import { VirtLabPage } from './virtlab-page';

const COLORS = {
  privileged: 'rgb(185, 28, 28)',
  sensitive: 'rgb(162, 28, 175)',
  plain: 'rgb(29, 78, 216)',
};

function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  return requests;
}

async function openWithMonaco(page: Page): Promise<VirtLabPage> {
  const vl = new VirtLabPage(page);
  await vl.open();
  await vl.editorReady();
  await expect(vl.editor.locator('.monaco-editor')).toBeVisible();
  return vl;
}

/** A token of the program as Monaco draws it. */
function token(vl: VirtLabPage, text: string): Locator {
  return vl.editor.locator('.view-line span[class^="mtk"]', { hasText: new RegExp(`^${text}$`) });
}

/** Where `text` is drawn in the editor's lines (tokens of one colour share a span, so search the text). */
async function textBox(vl: VirtLabPage, text: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await vl.editor.locator('.view-lines').evaluate((lines, wanted) => {
    const walker = document.createTreeWalker(lines, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = (node.textContent ?? '').indexOf(wanted);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + wanted.length);
      const r = range.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    }
    return null;
  }, text);
  if (!box) throw new Error(`'${text}' is not drawn`);
  return box;
}

/** The line number element of `line`. */
function lineNumber(vl: VirtLabPage, line: number): Locator {
  return vl.editor.locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^${line}$`) });
}

async function topOf(l: Locator): Promise<number> {
  const box = await l.boundingBox();
  if (!box) throw new Error('not on screen');
  return Math.round(box.y);
}

/**
 * How far the PC highlight stands from line `line`'s number, in pixels; Infinity until Monaco has drawn
 * it (it draws decorations in a frame of its own, after the status has changed).
 */
async function pcOffset(vl: VirtLabPage, line: number): Promise<number> {
  const pc = await vl.editor.locator('.vx-pc-line').boundingBox();
  const number = await lineNumber(vl, line).boundingBox();
  return pc && number ? Math.abs(Math.round(pc.y) - Math.round(number.y)) : Number.POSITIVE_INFINITY;
}

/** Clicks the glyph margin beside `line`. */
async function clickGlyphMargin(vl: VirtLabPage, line: number): Promise<void> {
  const margin = await vl.editor.locator('.margin .glyph-margin').boundingBox();
  const number = await lineNumber(vl, line).boundingBox();
  if (!margin || !number) throw new Error('the glyph margin is not on screen');
  await vl.page.mouse.click(margin.x + margin.width / 2, number.y + number.height / 2);
}

/** Lines holding a breakpoint (by the position of the glyphs against the line numbers). */
async function breakpointLines(vl: VirtLabPage): Promise<number[]> {
  const glyphs = vl.editor.locator('.vx-breakpoint');
  const tops = await Promise.all((await glyphs.all()).map(topOf));
  const lines: number[] = [];
  for (const n of await vl.editor.locator('.margin-view-overlays .line-numbers').all()) {
    if (tops.includes(await topOf(n))) lines.push(Number(await n.textContent()));
  }
  return lines.sort((a, b) => a - b);
}

const COUNTING = `        MOV R1, 0
loop:   INC R1
        CMP R1, 5
        JNZ loop
        OUT 0xF4, R1
`;

test('Monaco loads from this machine and styles privileged and sensitive instructions apart', async ({ page }) => {
  const requests = recordRequests(page);
  const vl = await openWithMonaco(page);
  // Monaco's input is now the one accessible Source text box (the plain text area is gone).
  await expect(vl.source).toHaveCount(1);
  await expect(vl.editor.locator('.monaco-editor').getByRole('textbox', { name: 'Source' })).toHaveCount(1);
  await vl.pasteSource('        CLI\n        POPF\n        MOV R1, 2\n        MOV CR3, R1\n');
  await expect(token(vl, 'POPF')).toBeVisible();
  await expect(token(vl, 'CLI')).toHaveCSS('color', COLORS.privileged);
  await expect(token(vl, 'POPF')).toHaveCSS('color', COLORS.sensitive);
  await expect(token(vl, 'POPF')).toHaveCSS('text-decoration-line', 'underline');
  // MOV is privileged only with a control register (Monaco's line elements are not in line order).
  const mov = (line: string) => vl.editor.locator('.view-line', { hasText: line }).locator('span[class^="mtk"]', { hasText: /^MOV$/ });
  await expect(mov('MOV R1, 2')).toHaveCSS('color', COLORS.plain);
  await expect(mov('MOV CR3, R1')).toHaveCSS('color', COLORS.privileged);
  const legend = vl.editor.locator('.editor-legend');
  await expect(legend).toContainText('PUSHF POPF SMSW SIDT CPUID sensitive, not privileged');

  // On strict, POPF is privileged (when the page offers the Instruction set control).
  const isa = page.getByRole('combobox', { name: 'Instruction set' });
  if (await isa.count()) {
    await isa.selectOption('strict');
    await expect(token(vl, 'POPF')).toHaveCSS('color', COLORS.privileged);
    await expect(legend).toContainText('every sensitive instruction is privileged');
  }

  const foreign = requests.map((r) => r.url()).filter((u) => !/^(https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/|data:|blob:)/.test(u));
  expect(foreign).toEqual([]);
  // The editor came in its own chunk, after the page.
  expect(requests.some((r) => /\/assets\/monaco-[\w-]+\.js$/.test(r.url()))).toBe(true);
});

test('an assembly error shows a marker where the assembler says, and disables Run with a clear message', async ({ page }) => {
  const vl = await openWithMonaco(page);
  await vl.pasteSource('        MOV R1, 1\n        MOVE R1, 2\n        OUT 0xF4, 0\n');
  const marker = vl.editor.locator('.squiggly-error');
  await expect(marker).toHaveCount(1);
  // The marker sits under MOVE (line 2, columns 9 to 13).
  const squiggle = await marker.boundingBox();
  const word = await textBox(vl, 'MOVE');
  expect(squiggle).toBeTruthy();
  if (squiggle) {
    expect(Math.abs(squiggle.x - word.x)).toBeLessThan(2);
    expect(Math.abs(squiggle.width - word.width)).toBeLessThan(2);
    expect(Math.abs(squiggle.y - word.y)).toBeLessThan(word.height);
  }
  const alert = vl.editor.getByRole('alert');
  await expect(alert).toContainText('Run is disabled: 1 assembly error to fix');
  await expect(alert).toContainText("2:9: unknown instruction 'MOVE'");
  await expect(vl.run).toBeDisabled();
  await expect(vl.step).toBeDisabled();
  // Hovering the marker gives the assembler's message.
  await page.mouse.move(word.x + 5, word.y + 5);
  await expect(page.locator('.monaco-hover:not(.hidden)').filter({ hasText: "unknown instruction 'MOVE'" })).toBeVisible();
  // Fixed: the marker goes and Run is enabled.
  await vl.pasteSource('        MOV R1, 1\n        OUT 0xF4, 0\n');
  await expect(marker).toHaveCount(0);
  await expect(alert).toHaveCount(0);
  await expect(vl.run).toBeEnabled();
});

test('a breakpoint set in the glyph margin stops the run there, with the line highlighted', async ({ page }) => {
  const vl = await openWithMonaco(page);
  await vl.pasteSource(COUNTING);
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await expect(lineNumber(vl, 5)).toBeVisible();
  await clickGlyphMargin(vl, 5);
  await expect(vl.editor.locator('.vx-breakpoint')).toHaveCount(1);
  expect(await breakpointLines(vl)).toEqual([5]);
  await vl.run.click();
  await expect(vl.status).toHaveText('Paused at a breakpoint');
  // The next instruction is line 5's OUT: its line is highlighted, and R1 has counted to 5.
  const pc = vl.editor.locator('.vx-pc-line');
  await expect(pc).toHaveCount(1);
  await expect.poll(() => pcOffset(vl, 5)).toBeLessThanOrEqual(1);
  await expect(vl.registers.getByRole('row', { name: /^R1\b/ })).toContainText('0x00000005');
  // Run continues from the breakpoint to the end.
  await vl.run.click();
  await expect(vl.status).toHaveText(/Stopped/);
  await expect(pc).toHaveCount(0);
  // Clicking the glyph again removes it.
  await clickGlyphMargin(vl, 5);
  await expect(vl.editor.locator('.vx-breakpoint')).toHaveCount(0);
});

test('F9 toggles a breakpoint on the current line, and a run in progress keeps its place', async ({ page }) => {
  const vl = await openWithMonaco(page);
  await vl.pasteSource(COUNTING);
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  // Three steps in: MOV, INC, CMP.
  for (let i = 0; i < 3; i++) await vl.step.click();
  await expect(vl.registers.getByRole('row', { name: /^R1\b/ })).toContainText('0x00000001');
  await token(vl, 'INC').click();
  await page.keyboard.press('F9');
  await expect.poll(() => breakpointLines(vl)).toEqual([2]);
  // Still three instructions in, at the same place.
  await expect(vl.status).toHaveText(/^Paused/);
  await expect(vl.registers.getByRole('row', { name: /^R1\b/ })).toContainText('0x00000001');
  await expect(vl.registers.getByRole('row', { name: /^PC\b/ })).toContainText('0x00000018');
  // Run stops at the next INC.
  await vl.run.click();
  await expect(vl.status).toHaveText('Paused at a breakpoint');
  await expect(vl.registers.getByRole('row', { name: /^R1\b/ })).toContainText('0x00000001');
  await expect.poll(() => pcOffset(vl, 2)).toBeLessThanOrEqual(1);
  // F9 again takes it away; Run goes to the end.
  await token(vl, 'INC').click();
  await page.keyboard.press('F9');
  await expect(vl.editor.locator('.vx-breakpoint')).toHaveCount(0);
  await vl.run.click();
  await expect(vl.status).toHaveText(/Stopped/);
});

test('hover shows the doc of an instruction and of a register', async ({ page }) => {
  const vl = await openWithMonaco(page);
  await vl.pasteSource('        POPF\n        MOV R7, 0x100\n');
  await token(vl, 'POPF').hover();
  const hover = page.locator('.monaco-hover:not(.hidden)');
  await expect(hover).toContainText('POPF');
  await expect(hover).toContainText('Sensitive but not privileged on classic');
  await expect(hover).toContainText('trap-and-emulate');
  await expect(hover).toContainText('fidelity violation');
  await expect(hover).toContainText('hardware-assisted');
  await page.mouse.move(0, 0);
  await expect(hover.filter({ hasText: 'POPF' })).toHaveCount(0);
  await token(vl, 'R7').hover();
  await expect(hover).toContainText('the stack pointer');
});

test('completion offers mnemonics with their operand forms, and the labels of the file', async ({ page }) => {
  const vl = await openWithMonaco(page);
  await vl.pasteSource('start:  NOP\n        ');
  await vl.editor.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('PO');
  const suggest = page.locator('.suggest-widget');
  await expect(suggest).toBeVisible();
  // Each mnemonic with its operand forms.
  await expect(suggest.getByRole('listitem', { name: /^POPF\b/ })).toBeVisible();
  await expect(suggest.getByRole('listitem', { name: /^POP r\b/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await vl.pasteSource('start:  NOP\n        JMP ');
  await page.keyboard.press('Control+End');
  // The file's labels come from its last assembly, which runs in the assembler's worker: ask again
  // until that assembly has answered.
  await expect(async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Space');
    await expect(suggest.getByRole('listitem', { name: /^start\b/ })).toBeVisible({ timeout: 1000 });
  }).toPass();
  await expect(suggest.getByRole('listitem', { name: /^R0\b/ })).toBeVisible();
  // Tab accepts a completion (Enter always inserts a newline: live coding keeps its lines).
  await page.keyboard.press('Tab');
  await expect.poll(() => vl.sourceText()).toBe('start:  NOP\n        JMP start');
});

test('a scenario with several VMs has one tab per VM', async ({ page }) => {
  const vms = [
    { name: 'alpha', source: '        MOV R1, 1\n        OUT 0xF4, 0\n' },
    { name: 'beta', source: '        MOVE R2, 2\n' },
  ];
  // Two VMs: native runs one machine only, so a hypervisor.
  await page.goto(`/#${encodeFragment({ ...scenarioFromSource(vms[0].source), technique: 'hardware-assisted', vms })}`);
  const vl = new VirtLabPage(page);
  await vl.editorReady();
  const tabs = vl.editor.getByRole('tab');
  await expect(tabs).toHaveText(['alpha', 'beta (errors)']);
  await expect(tabs.first()).toHaveAttribute('aria-selected', 'true');
  await expect(vl.editor.getByRole('alert')).toContainText('(also in beta)');
  await expect(vl.run).toBeDisabled();
  await tabs.nth(1).click();
  await expect(vl.lines).toContainText('MOVE');
  await expect(vl.editor.locator('.squiggly-error')).toHaveCount(1);
  await vl.pasteSource('        MOV R2, 2\n        OUT 0xF4, 0\n');
  await expect(vl.editor.locator('.squiggly-error')).toHaveCount(0);
  await expect(vl.run).toBeEnabled();
  await expect.poll(() => vl.sourceText(1)).toBe('        MOV R2, 2\n        OUT 0xF4, 0\n');
  await tabs.first().focus();
  await page.keyboard.press('ArrowRight');
  await expect(tabs.nth(1)).toBeFocused();
  await expect(tabs.nth(1)).toHaveAttribute('aria-selected', 'true');
});

test.describe('without Monaco', () => {
  // The offline service worker fetches and serves every asset itself, beyond page.route's reach: this test
  // is about a page whose editor chunk cannot load, so no service worker may hand it over.
  test.use({ serviceWorkers: 'block' });

  test('the plain text area still edits and runs the program', async ({ page }) => {
    await page.route(/\/assets\/monaco-[\w-]+\.(js|css)$/, (route) => route.abort());
    const vl = new VirtLabPage(page);
    await vl.open();
    await expect(vl.editor.getByText('The code editor could not load')).toBeVisible();
    await vl.source.fill("        MOV R1, 'A'\n        OUT 0xE9, R1\n        OUT 0xF4, 0\n");
    await vl.run.click();
    await expect(vl.status).toHaveText(/Stopped/);
    await expect(vl.console).toContainText('A');
  });
});
