import { expect, type Request, test } from '@playwright/test';
import { printing, VirtLabPage } from './virtlab-page';

/** Every request the page makes, to prove that none leaves this machine. */
function recordRequests(page: import('@playwright/test').Page): Request[] {
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  return requests;
}

function assertLocalOnly(requests: readonly Request[]): void {
  const foreign = requests.map((r) => r.url()).filter((u) => !/^(https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/|data:|blob:)/.test(u));
  expect(foreign).toEqual([]);
}

test('the page shows its landmarks and controls, and the default program runs', async ({ page }) => {
  const requests = recordRequests(page);
  const vl = new VirtLabPage(page);
  await vl.open();
  for (const name of ['Editor', 'Console', 'Registers', 'Machine', 'Events']) {
    await expect(page.getByRole('region', { name })).toBeVisible();
  }
  await expect(vl.source).toBeAttached();
  await vl.editorReady();
  await expect(vl.lines).toContainText('Hello, VirtLab!');
  await expect(vl.technique.locator('option')).toHaveText([
    'native',
    'interpret',
    'trap-and-emulate',
    'binary-translation',
    'hardware-assisted',
    'paravirtualization',
  ]);
  await vl.run.click();
  await expect(vl.console).toContainText('Hello, VirtLab!');
  // Bare metal: one machine, no VM (issue 13, words that fit the technique).
  await expect(vl.status).toHaveText(/Stopped: the machine stopped/);
  assertLocalOnly(requests);
});

test('a program pasted into Source prints on the Console', async ({ page }) => {
  const requests = recordRequests(page);
  const vl = new VirtLabPage(page);
  await vl.open();
  await vl.pasteSource(printing('Pasted by Playwright: 42 <b>not bold</b>\n'));
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await vl.run.click();
  // Guest output is text, never markup.
  await expect(vl.console.locator('pre')).toHaveText('Pasted by Playwright: 42 <b>not bold</b>\n');
  await expect(vl.console.locator('b')).toHaveCount(0);
  const machine = vl.page.getByRole('region', { name: 'Machine' });
  await expect(machine).toContainText('powered-off, exit code 0');
  assertLocalOnly(requests);
});

test('an assembly error is shown with its line and column, and Run is disabled', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open();
  await vl.pasteSource('        MOV R1, 1\n        MOVE R1, 2\n        OUT 0xF4, 0\n');
  const alert = vl.editor.getByRole('alert');
  await expect(alert).toContainText("2:9: unknown instruction 'MOVE'");
  await expect(vl.run).toBeDisabled();
  await expect(vl.step).toBeDisabled();
  // Fixing it enables Run again.
  await vl.pasteSource('        MOV R1, 1\n        OUT 0xF4, 0\n');
  await expect(alert).toHaveCount(0);
  await expect(vl.run).toBeEnabled();
});

test('an infinite loop runs until paused, and Step moves one instruction', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.openProgram('spin:   INC R1\n        JMP spin\n');
  await vl.run.click();
  await expect(vl.status).toHaveText('Running');
  await expect(vl.pause).toBeEnabled();
  await expect.poll(() => vl.steps()).toBeGreaterThan(1000);
  await vl.pause.click();
  await expect(vl.status).toHaveText('Paused');
  await expect(vl.run).toBeEnabled();
  await expect(vl.pause).toBeDisabled();

  // Paused means paused: one Step moves the run by exactly one instruction (F10 steps too).
  const before = await vl.steps();
  const pc = vl.registers.getByRole('row', { name: /^PC/ });
  const pcBefore = await pc.textContent();
  await page.keyboard.press('F10');
  await vl.atStep(before + 1);
  await expect(pc).not.toHaveText(pcBefore ?? '');

  // Run continues, F6 pauses again.
  await vl.run.click();
  await expect(vl.status).toHaveText('Running');
  await page.keyboard.press('F6');
  await expect(vl.status).toHaveText('Paused');
});

test('a technique the engine refuses says why', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open();
  await vl.technique.selectOption('paravirtualization');
  const refused = page.getByRole('alert').filter({ hasText: 'paravirtualization cannot run this program' });
  const ran = vl.status.filter({ hasText: 'Paused, ready to run' });
  // Until that technique is built the engine refuses it; afterwards it loads like any other.
  await expect(refused.or(ran)).toBeVisible();
  if (await refused.isVisible()) await expect(vl.run).toBeDisabled();
  await vl.technique.selectOption('native');
  await expect(refused).toHaveCount(0);
  await expect(vl.run).toBeEnabled();
});

test('a guest printing in a loop, paused: the Console keeps its last 64 KB and shows the newest line', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.openProgram('loop:   OUT 0xE9, 65\n        OUT 0xE9, 10\n        JMP loop\n', 'trap-and-emulate');
  await vl.run.click();
  // 65,536 characters take about 98,000 instructions (two characters every three).
  await expect.poll(() => vl.steps(), { timeout: 60_000 }).toBeGreaterThan(200_000);
  await vl.pause.click();
  await expect(vl.status).toHaveText(/^Paused/);
  const pre = vl.console.locator('pre');
  await expect.poll(() => pre.evaluate((el) => el.textContent?.length)).toBe(64 * 1024);
  expect(await pre.evaluate((el) => /^\n?(A\n)+A?$/.test(el.textContent ?? ''))).toBe(true);
  await expect(vl.console.getByText(/earlier characters not shown/)).toBeVisible();
  // Scrolled to the end: the newest line is in view, at the bottom of the box.
  await expect.poll(() => pre.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(4);
  // The oldest kept line is there to scroll back to, by keyboard.
  await pre.focus();
  await page.keyboard.press('Control+Home');
  await expect.poll(() => pre.evaluate((el) => el.scrollTop)).toBe(0);
});
