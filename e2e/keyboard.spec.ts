import { expect, test } from '@playwright/test';
import { SYSCALLS, VirtLabPage } from './virtlab-page';

/**
 * Tabs forward until the focused element matches, failing after `limit` presses. Monaco keeps Tab for
 * indentation until Ctrl+M (its documented "Tab moves focus" toggle): pressed once, the first time the
 * focus lands in it, as a keyboard user would.
 */
let tabMovesFocus = false;
async function tabTo(page: import('@playwright/test').Page, target: import('@playwright/test').Locator, limit = 150): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    const inMonaco = await page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null);
    if (inMonaco && !tabMovesFocus) {
      await page.keyboard.press('Control+m');
      tabMovesFocus = true;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${target} with Tab`);
}

test('every control works from the keyboard alone', async ({ page }) => {
  tabMovesFocus = false;
  const vl = new VirtLabPage(page);
  await vl.open();
  await vl.setSource(SYSCALLS);
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await page.locator('body').click({ position: { x: 5, y: 5 } });

  // Technique by digit (3 = trap-and-emulate), stepping by function keys.
  await page.keyboard.press('3');
  await expect(vl.technique).toHaveValue('trap-and-emulate');
  await expect(vl.status).toHaveText(/Paused, ready to run/);
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
  await page.keyboard.press('F5');
  await expect(vl.status).toHaveText('Running');
  await page.keyboard.press('F6');
  await expect(vl.status).toHaveText('Paused');
  await page.keyboard.press('Control+Shift+F5');
  await vl.atStep(0);

  // The buttons are reachable with Tab and pressed with Enter / Space.
  await tabTo(page, vl.step);
  await page.keyboard.press('Enter');
  await vl.atStep(1);
  await tabTo(page, vl.stepBack);
  await page.keyboard.press('Space');
  await vl.atStep(0);

  // Selects: Instruction set, Cost preset, Paging, Hypervisor type.
  const isa = page.getByRole('combobox', { name: 'Instruction set' });
  await tabTo(page, isa);
  await page.keyboard.press('ArrowDown');
  await expect(isa).toHaveValue('strict');
  const preset = page.getByRole('combobox', { name: 'Cost preset' });
  await tabTo(page, preset);
  await page.keyboard.press('ArrowUp');
  await expect(preset).toHaveValue('2006');
  const type = page.getByRole('combobox', { name: 'Hypervisor type' });
  await tabTo(page, type);
  await page.keyboard.press('ArrowDown');
  await expect(type).toHaveValue('2');
  await expect(vl.status).toHaveText(/Paused, ready to run/);

  // Exit controls: open the disclosure, toggle HLT exiting (hardware-assisted only). Digits choose the
  // technique anywhere but in a field that takes them (a select would jump to an option).
  await tabTo(page, vl.reset);
  await page.keyboard.press('5');
  await expect(vl.technique).toHaveValue('hardware-assisted');
  const exits = page.getByText('Exit controls', { exact: true });
  await tabTo(page, exits);
  await page.keyboard.press('Enter');
  const hlt = page.getByRole('checkbox', { name: 'HLT exiting' });
  await expect(hlt).toBeChecked();
  await tabTo(page, hlt);
  await page.keyboard.press('Space');
  await expect(hlt).not.toBeChecked();
  // With shadow paging (2006 has no EPT) CR3-load exiting is forced on.
  await expect(page.getByRole('checkbox', { name: 'CR3-load exiting' })).toBeDisabled();
  await expect(page.getByRole('checkbox', { name: 'CR3-load exiting' })).toBeChecked();
  await tabTo(page, exits);
  await page.keyboard.press('Enter');

  // Speed: a slider moved with arrow keys.
  const speed = page.getByRole('slider', { name: 'Speed' });
  await tabTo(page, speed);
  await page.keyboard.press('Home');
  await expect(speed).toHaveAttribute('aria-valuetext', '1 instruction per second');
  await page.keyboard.press('End');
  await expect(speed).toHaveAttribute('aria-valuetext', 'full speed');

  // Step a little, then travel with the timeline's keys.
  for (let i = 0; i < 4; i++) await page.keyboard.press('F11');
  await expect.poll(() => vl.steps()).toBeGreaterThan(3);
  const end = await vl.steps();
  await tabTo(page, vl.timeline);
  await page.keyboard.press('Home');
  await vl.atStep(0);
  await page.keyboard.press('ArrowRight');
  await vl.atStep(1);
  await page.keyboard.press('End');
  await vl.atStep(end);

  // The event list: arrows choose an event, Enter moves the run to it.
  const list = vl.events.getByRole('listbox', { name: 'Event list' });
  await tabTo(page, list);
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect.poll(() => vl.steps()).toBeLessThan(end);
  const filter = vl.events.getByRole('combobox', { name: 'Show' });
  await tabTo(page, filter);
  await page.keyboard.press('ArrowDown');
  await expect(filter).toHaveValue('hypervisor');

  // The detail tabs: arrow keys move between Memory, Costs and Inspector.
  const costs = page.getByRole('tab', { name: 'Costs' });
  await tabTo(page, costs);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Inspector' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('region', { name: 'Inspector' })).toContainText('VMCS');
  await page.keyboard.press('Home');
  await expect(page.getByRole('region', { name: 'Memory' })).toBeVisible();
  const address = page.getByRole('textbox', { name: 'Address' });
  await tabTo(page, address);
  await page.keyboard.type('9000');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: 'Memory' })).toContainText('0x9000');
});
