// Every control works from the keyboard alone. Each test opens the page at a share link, puts the focus
// where a keyboard user's Tab would bring it (`focus()`, checked with `toBeFocused()`), presses keys and
// waits for what the page shows. One short test walks the tab order itself.
import { expect, type Page, test } from '@playwright/test';
import type { TechniqueId } from '../src/hypervisor/technique';
import { encodeFragment } from '../src/scenario/link';
import { scenarioFromSource } from '../src/scenario/scenario';
import { SYSCALLS, VirtLabPage } from './virtlab-page';

async function openSyscalls(page: Page, technique: TechniqueId = 'trap-and-emulate', preset?: '2006' | 'modern'): Promise<VirtLabPage> {
  const vl = new VirtLabPage(page);
  await vl.open(encodeFragment({ ...scenarioFromSource(SYSCALLS), technique, ...(preset ? { preset } : {}) }));
  await expect(vl.technique).toHaveValue(technique);
  await vl.atStep(0);
  return vl;
}

/** Nothing focused: the keys go to the page. */
async function blur(page: Page): Promise<void> {
  await page.locator('body').click({ position: { x: 5, y: 5 } });
}

test('digits choose the technique', async ({ page }) => {
  const vl = await openSyscalls(page, 'native');
  await blur(page);
  await page.keyboard.press('3');
  await expect(vl.technique).toHaveValue('trap-and-emulate');
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  // On a button too (only a field that takes digits keeps them).
  await vl.reset.focus();
  await expect(vl.reset).toBeFocused();
  await page.keyboard.press('5');
  await expect(vl.technique).toHaveValue('hardware-assisted');
  await expect(vl.status).toHaveText(/Paused, ready to run/);
});

test('function keys step, step by event and travel back', async ({ page }) => {
  const vl = await openSyscalls(page);
  await blur(page);
  await page.keyboard.press('F10');
  await vl.atStep(1);
  await page.keyboard.press('F10');
  await vl.atStep(2);
  await page.keyboard.press('Shift+F10');
  await vl.atStep(1);
  await page.keyboard.press('F11');
  await expect.poll(() => vl.steps()).toBeGreaterThan(1);
  const afterEvent = await vl.steps();
  await page.keyboard.press('Shift+F11');
  await expect.poll(() => vl.steps()).toBeLessThan(afterEvent);
});

test('function keys run, pause and reset', async ({ page }) => {
  const vl = await openSyscalls(page);
  await blur(page);
  await page.keyboard.press('F5');
  await expect(vl.status).toHaveText('Running');
  await page.keyboard.press('F6');
  await expect(vl.status).toHaveText('Paused');
  await page.keyboard.press('Control+Shift+F5');
  await vl.atStep(0);
});

test('buttons are pressed with Enter and Space', async ({ page }) => {
  const vl = await openSyscalls(page);
  await vl.step.focus();
  await expect(vl.step).toBeFocused();
  await page.keyboard.press('Enter');
  await vl.atStep(1);
  await vl.stepBack.focus();
  await expect(vl.stepBack).toBeFocused();
  await page.keyboard.press('Space');
  await vl.atStep(0);
});

test('the machine settings change with the arrow keys', async ({ page }) => {
  const vl = await openSyscalls(page);
  for (const [name, key, value] of [
    ['Instruction set', 'ArrowDown', 'strict'],
    ['Cost preset', 'ArrowUp', '2006'],
    ['Hypervisor type', 'ArrowDown', '2'],
  ]) {
    const select = page.getByRole('combobox', { name });
    await select.focus();
    await expect(select).toBeFocused();
    await page.keyboard.press(key);
    await expect(select).toHaveValue(value);
  }
  await expect(vl.status).toHaveText(/Paused, ready to run/);
});

test('the exit controls open with Enter, and a checkbox toggles with Space', async ({ page }) => {
  await openSyscalls(page, 'hardware-assisted', '2006');
  const exits = page.getByText('Exit controls', { exact: true });
  await exits.focus();
  await expect(exits).toBeFocused();
  await page.keyboard.press('Enter');
  const hlt = page.getByRole('checkbox', { name: 'HLT exiting' });
  await expect(hlt).toBeChecked();
  await hlt.focus();
  await expect(hlt).toBeFocused();
  await page.keyboard.press('Space');
  await expect(hlt).not.toBeChecked();
  // With shadow paging (2006 has no EPT) CR3-load exiting is forced on.
  const cr3 = page.getByRole('checkbox', { name: 'CR3-load exiting' });
  await expect(cr3).toBeDisabled();
  await expect(cr3).toBeChecked();
  await exits.focus();
  await page.keyboard.press('Enter');
  await expect(hlt).toBeHidden();
});

test('the speed slider moves with Home, End and the arrows', async ({ page }) => {
  await openSyscalls(page);
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await expect(speed).toBeFocused();
  await page.keyboard.press('Home');
  await expect(speed).toHaveAttribute('aria-valuetext', '1 instruction per second');
  await page.keyboard.press('ArrowRight');
  await expect(speed).toHaveAttribute('aria-valuetext', '2 instructions per second');
  await page.keyboard.press('End');
  await expect(speed).toHaveAttribute('aria-valuetext', 'full speed');
});

test('the timeline moves with Home, the arrows and End', async ({ page }) => {
  const vl = await openSyscalls(page);
  await blur(page);
  for (let i = 1; i <= 4; i++) {
    await page.keyboard.press('F10');
    await vl.atStep(i);
  }
  const end = await vl.steps();
  await vl.timeline.focus();
  await expect(vl.timeline).toBeFocused();
  await page.keyboard.press('Home');
  await vl.atStep(0);
  await page.keyboard.press('ArrowRight');
  await vl.atStep(1);
  await page.keyboard.press('End');
  await vl.atStep(end);
});

test('the event list: arrows choose an event, Enter moves the run to it; the filter by arrows', async ({ page }) => {
  const vl = await openSyscalls(page);
  await blur(page);
  for (let i = 1; i <= 4; i++) {
    await page.keyboard.press('F10');
    await vl.atStep(i);
  }
  const end = await vl.steps();
  const list = vl.events.getByRole('listbox', { name: 'Event list' });
  await list.focus();
  await expect(list).toBeFocused();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect.poll(() => vl.steps()).toBeLessThan(end);
  const filter = vl.events.getByRole('combobox', { name: 'Show' });
  await filter.focus();
  await expect(filter).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(filter).toHaveValue('hypervisor');
});

test('the detail tabs move with the arrows; an address typed into Memory shows there', async ({ page }) => {
  await openSyscalls(page, 'hardware-assisted');
  const costs = page.getByRole('tab', { name: 'Costs' });
  await costs.focus();
  await expect(costs).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Inspector' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('region', { name: 'Inspector' })).toContainText('VMCS');
  await page.keyboard.press('Home');
  await expect(page.getByRole('region', { name: 'Memory' })).toBeVisible();
  const address = page.getByRole('textbox', { name: 'Address' });
  await address.focus();
  await expect(address).toBeFocused();
  await page.keyboard.type('9000');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: 'Memory' })).toContainText('0x9000');
});

test('Tab goes through the run controls in order, past disabled ones; Ctrl+M lets Tab leave the editor', async ({ page }) => {
  const vl = await openSyscalls(page);
  // At the start Pause and Step back are disabled: Tab skips them.
  await vl.run.focus();
  await expect(vl.run).toBeFocused();
  for (const next of [vl.step, vl.stepToEvent, vl.reset, page.getByRole('slider', { name: 'Speed' }), vl.technique]) {
    await page.keyboard.press('Tab');
    await expect(next).toBeFocused();
  }
  // Monaco keeps Tab for indentation until Ctrl+M (its "Tab moves focus" toggle).
  await vl.editorReady();
  await vl.source.focus();
  await expect(vl.source).toBeFocused();
  await page.keyboard.press('Control+m');
  await page.keyboard.press('Tab');
  await expect(vl.source).not.toBeFocused();
  await expect(vl.console.locator('pre')).toBeFocused();
});
