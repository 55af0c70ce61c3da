import { expect, type Request, test } from '@playwright/test';
import type { TechniqueId } from '../src/hypervisor/technique';
import { encodeFragment } from '../src/scenario/link';
import { scenarioFromSource } from '../src/scenario/scenario';
import { SYSCALLS, VirtLabPage } from './virtlab-page';

function localOnly(page: import('@playwright/test').Page): () => void {
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  return () => {
    const foreign = requests.map((r) => r.url()).filter((u) => !/^(https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/|data:|blob:)/.test(u));
    expect(foreign).toEqual([]);
  };
}

/** Opens a share link to `source` under `technique`. */
async function load(vl: VirtLabPage, technique: TechniqueId, source = SYSCALLS): Promise<void> {
  await vl.openProgram(source, technique);
  await vl.atStep(0);
}

// The exactness of time travel over long runs is the controller's unit test; here, a few clicks.
test('four steps forward and four back come back to identical registers, each step the same as before', async ({ page }) => {
  const checkLocal = localOnly(page);
  const vl = new VirtLabPage(page);
  await load(vl, 'trap-and-emulate');
  const seen: string[] = [await vl.registerText()];
  for (let i = 1; i <= 4; i++) {
    await vl.step.click();
    await vl.atStep(i);
    seen.push(await vl.registerText());
  }
  // Every step changed something (the PC at least).
  expect(new Set(seen).size).toBe(5);
  for (let i = 3; i >= 0; i--) {
    await vl.stepBack.click();
    await vl.atStep(i);
    expect(await vl.registerText()).toBe(seen[i]);
  }
  await expect(vl.stepBack).toBeDisabled();
  checkLocal();
});

test('Step to event stops at each hypervisor event, one at a time; the Events panel explains it; back to event returns', async ({
  page,
}) => {
  const vl = new VirtLabPage(page);
  await load(vl, 'trap-and-emulate');
  const list = vl.events.getByRole('listbox', { name: 'Event list' });
  const now = vl.machine.getByRole('note', { name: 'Event callout' }).locator('[aria-current="step"]');
  await vl.stepToEvent.click();
  // LIDT at real CPL 3, its four events one press each at one moment: the hidden page fault of the first
  // fetch (a trap, then the shadow entry filled), then #GP (a trap, then LIDT emulated on the vCPU).
  await expect(now).toHaveText('trap');
  await expect(list).toContainText('trap');
  await expect(vl.events).toContainText('Why');
  const first = await vl.steps();
  expect(first).toBeGreaterThan(0);
  for (const step of ['hidden fault', 'trap', 'emulate']) {
    await page.keyboard.press('F11');
    await expect(now).toHaveText(step);
    await vl.atStep(first);
  }
  await page.keyboard.press('F11');
  await expect(now).toHaveText('trap');
  await expect.poll(() => vl.steps()).toBeGreaterThan(first);
  await vl.stepBackToEvent.click();
  await expect(now).toHaveText('emulate');
  await vl.atStep(first);
  await page.keyboard.press('Shift+F11');
  await expect(now).toHaveText('trap');
  await vl.atStep(first);
  // The Machine panel shows the layers and which runs: the guest kernel, deprivileged to ring 3.
  await expect(vl.machine).toContainText('Guest kernel');
  await expect(vl.machine).toContainText('real ring 3');
  await expect(vl.machine).toContainText('Hypervisor');
});

test('switching technique changes the events: traps under trap-and-emulate, VM exits under hardware assistance', async ({ page }) => {
  const checkLocal = localOnly(page);
  const vl = new VirtLabPage(page);
  // A link to a moment 3,000 instructions in: hundreds of system calls made. (Running at full speed
  // there would do as well, but keeps the page's main thread busy with the event stream.)
  await vl.open(encodeFragment({ ...scenarioFromSource(SYSCALLS), technique: 'trap-and-emulate' }, 3000));
  await vl.atStep(3000);
  const show = vl.events.getByRole('combobox', { name: 'Show' });
  const list = vl.events.getByRole('listbox', { name: 'Event list' });
  await show.selectOption('trap');
  await expect(list.getByRole('option').first()).toContainText('trap');
  await show.selectOption('all');
  await expect(list).toContainText('reflect');
  await expect(list).not.toContainText('vm-exit');

  await vl.reset.focus();
  await page.keyboard.press('5'); // hardware-assisted
  await expect(vl.technique).toHaveValue('hardware-assisted');
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  // Step by event until an I/O exit shows (the first exits map guest memory: EPT violations).
  // Each press moves to the next event: the one the Events panel shows selected changes.
  const selected = list.locator('[aria-selected="true"]');
  for (let i = 0; i < 48 && !(await list.textContent())?.includes('IO_INSTRUCTION'); i++) {
    const before = (await selected.count()) ? await selected.textContent() : '';
    await page.keyboard.press('F11');
    await expect(selected).not.toHaveText(before ?? '');
  }
  await expect(list).toContainText('vm-exit');
  await expect(list).toContainText('IO_INSTRUCTION');
  // Not a single trap: the filter does not even offer the kind.
  await expect(show.locator('option', { hasText: /^trap$/ })).toHaveCount(0);
  await expect(show.locator('option', { hasText: /^vm-exit$/ })).toHaveCount(1);
  // The VMCS inspector shows the last exit.
  await page.getByRole('tab', { name: 'Inspector' }).click();
  const inspector = page.getByRole('region', { name: 'Inspector' });
  await expect(inspector).toContainText('Exit information');
  await expect(inspector).toContainText(/IO_INSTRUCTION|EPT_VIOLATION/);
  checkLocal();
});

test('clicking an event moves the whole run to that moment; dragging the timeline too', async ({ page }) => {
  const vl = new VirtLabPage(page);
  // A share link to a moment of the run: 40 instructions in, a few system calls made.
  const end = 40;
  await vl.open(encodeFragment({ ...scenarioFromSource(SYSCALLS), technique: 'trap-and-emulate' }, end));
  await vl.atStep(end);
  const list = vl.events.getByRole('listbox', { name: 'Event list' });
  const reflect = list.getByRole('option').filter({ hasText: 'reflect' }).first();
  await expect(reflect).toBeVisible();
  await reflect.click();
  await expect.poll(() => vl.steps()).toBeLessThan(end);
  const atReflect = await vl.steps();
  // Just after the reflection, the guest kernel runs its handler: virtual CPL 0.
  await expect(vl.registers.getByRole('row', { name: /^CPL/ })).toContainText('0');
  // The timeline covers the run as far as it went: drag to its start, then to its end.
  const box = await vl.timeline.boundingBox();
  if (!box) throw new Error('no timeline');
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 1, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await vl.atStep(0);
  await vl.timeline.press('End');
  await vl.atStep(end);
  expect(atReflect).toBeGreaterThan(0);
});

// How soon Pause is answered is the controller's unit test, on its virtual clock (no wall-clock limits
// here); the page shows that the pause holds and that a slow speed crawls one instruction at a time.
test('a guest spinning forever pauses, and at two instructions a second crawls one at a time', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await load(vl, 'binary-translation', 'spin:   INC R1\n        JMP spin\n');
  await vl.run.click();
  await expect(vl.status).toHaveText('Running');
  await expect.poll(() => vl.steps()).toBeGreaterThan(1000);
  await page.keyboard.press('F6');
  await expect(vl.status).toHaveText('Paused');
  // Held: one Step is exactly one instruction more.
  const at = await vl.steps();
  await page.keyboard.press('F10');
  await vl.atStep(at + 1);
  // At two instructions a second the run visibly crawls: the timeline shows every instruction.
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await expect(speed).toHaveAttribute('aria-valuetext', '2 instructions per second');
  await page.keyboard.press('F5');
  await expect(vl.status).toHaveText('Running');
  await expect.poll(() => vl.steps()).toBeGreaterThanOrEqual(at + 2);
  await expect.poll(() => vl.steps()).toBeGreaterThanOrEqual(at + 3);
  await page.keyboard.press('F6');
  await expect(vl.status).toHaveText('Paused');
});

test('the machine settings load the run again; nested paging on the 2006 preset is refused with the reason', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await load(vl, 'hardware-assisted');
  await page.getByRole('combobox', { name: 'Cost preset' }).selectOption('2006');
  await page.getByRole('combobox', { name: 'Paging' }).selectOption('nested');
  await expect(page.getByRole('alert').filter({ hasText: 'hardware-assisted cannot run this program' })).toContainText(/nested|EPT/);
  await expect(vl.run).toBeDisabled();
  await page.getByRole('combobox', { name: 'Paging' }).selectOption('shadow');
  await expect(vl.run).toBeEnabled();
  await page.getByRole('tab', { name: 'Memory' }).click();
  await expect(page.getByRole('region', { name: 'Memory' })).toContainText('Shadow');
  await page.getByRole('combobox', { name: 'Hypervisor type' }).selectOption('2');
  await expect(vl.machine).toContainText('Host OS');
  await vl.stepToEvent.click();
  await expect.poll(() => vl.steps()).toBeGreaterThan(0);
  await page.getByRole('tab', { name: 'Costs' }).click();
  await expect(page.getByRole('region', { name: 'Costs' })).toContainText('VM exits');
});
