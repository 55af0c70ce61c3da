// Issue 13, items 4–6 in the page: one event per step (each animated in the Machine panel and called out
// with its chain), the sequence view following the run and a seek, and predict mode's score.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { libraryScenario } from '../src/scenario/library';
import { encodeFragment } from '../src/scenario/link';
import { VirtLabPage } from './virtlab-page';

/** The trap-and-emulate basics, opened from a link as a student follows one. */
async function openBasics(page: import('@playwright/test').Page): Promise<VirtLabPage> {
  const vl = new VirtLabPage(page);
  await vl.open(encodeFragment(libraryScenario('tae-basics')!));
  await expect(vl.technique).toHaveValue('trap-and-emulate');
  return vl;
}

test('stepping to the INT 0x80 gives its trap, then its reflect: two presses, each animated and called out', async ({ page }) => {
  const vl = await openBasics(page);
  const callout = vl.machine.getByRole('note', { name: 'Event callout' });
  const now = callout.locator('[aria-current="step"]');
  const token = vl.machine.locator('.token');
  // The kernel's set-up before it drops to user mode: each press one event, in the order they happen
  // (a hidden fault of the first fetch, then LIDT's #GP and its emulation, …).
  const before = ['trap', 'hidden fault', 'trap', 'emulate', 'trap', 'emulate', 'trap', 'hidden fault', 'trap', 'emulate'];
  // The Events panel selects that very event (its default filter, all but vmx, lists it).
  const selected = page.getByRole('region', { name: 'Events' }).locator('.event-row.active .ev-kind');
  for (const step of before) {
    await page.keyboard.press('F11');
    await expect(now).toHaveText(step);
    await expect(selected).toHaveText(step.replace(' ', '-'));
  }
  await page.keyboard.press('F11');
  await expect(callout).toHaveText('trap → reflect');
  await expect(now).toHaveText('trap');
  await expect(token).toHaveText('trap');
  await expect(token).toHaveClass(/visible/);
  await expect(vl.machine.locator('.caption')).toContainText('INT 128: a system call');
  const atTrap = await vl.steps();
  await page.keyboard.press('F11');
  await expect(callout).toHaveText('trap → reflect');
  await expect(now).toHaveText('reflect');
  await expect(token).toHaveText('reflect');
  await expect(token).toHaveClass(/visible/);
  await expect(vl.machine.locator('.caption')).toContainText('Reflect INT 128 into the guest kernel');
  await expect(selected).toHaveText('reflect');
  // Both events of one instruction: the machine is at the same moment.
  await vl.atStep(atTrap);

  // The sequence view: the reflect highlighted; back to event, the trap (the seek followed).
  await page.getByRole('tab', { name: 'Sequence' }).click();
  const sequence = page.getByRole('region', { name: 'Sequence' });
  const current = sequence.getByRole('list', { name: 'Sequence diagram' }).locator('[aria-current="true"]');
  await expect(current).toHaveAccessibleName(/reflect, Hypervisor → Guest kernel$/);
  await expect(current).toBeInViewport();
  await vl.stepBackToEvent.click();
  await expect(now).toHaveText('trap');
  await expect(current).toHaveAccessibleName(/trap, Guest user → Hypervisor$/);

  // After the run ends and the run goes back, the caption speaks of that moment, not of the power-off.
  await vl.run.click();
  await expect(vl.status).toHaveText(/Stopped/);
  await expect(vl.machine.locator('.caption')).toContainText('powered-off');
  await vl.timeline.focus();
  await page.keyboard.press('Home');
  await vl.atStep(0);
  await expect(vl.machine.locator('.caption')).not.toContainText('powered-off');
  await expect(vl.machine.locator('.caption')).toContainText('drawn here as it happens');
});

test('the sequence view exports the rows in view as a standalone SVG', async ({ page }) => {
  const vl = await openBasics(page);
  for (let i = 0; i < 4; i++) await page.keyboard.press('F11');
  await expect(vl.machine.getByRole('note', { name: 'Event callout' }).locator('[aria-current="step"]')).toHaveText('emulate');
  await page.getByRole('tab', { name: 'Sequence' }).click();
  const sequence = page.getByRole('region', { name: 'Sequence' });
  await expect(sequence.getByRole('listitem')).toHaveCount(4);
  const [download] = await Promise.all([page.waitForEvent('download'), sequence.getByRole('button', { name: 'Export SVG' }).click()]);
  const path = await download.path();
  const text = await (await import('node:fs/promises')).readFile(path, 'utf8');
  expect(text).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const lane of ['Guest user', 'Guest kernel', 'Hypervisor', 'Hardware']) expect(text).toContain(`>${lane}</text>`);
  expect(text.match(/marker-end/g)?.length).toBe(3);
  expect(text).toContain('>emulate</text>');
});

test('predict mode asks what happens next, steps, reveals and keeps the score', async ({ page }) => {
  const vl = await openBasics(page);
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByRole('button', { name: 'Predict' })).toHaveAttribute('aria-pressed', 'true');
  const predict = page.getByRole('region', { name: 'Predict the next event' });
  await expect(predict).toContainText('0 right of 0');
  await page.keyboard.press('F11');
  const question = predict.getByRole('group', { name: 'What happens next?' });
  await expect(question.getByRole('button')).not.toHaveCount(0);
  // The run has not moved yet: the question comes before the step.
  await vl.atStep(0);
  // The first event is the trap of the first fetch (a hidden page fault): the focus is on the choices.
  await expect(question.getByRole('button', { name: 'trap', exact: true })).toBeVisible();
  await question.getByRole('button', { name: 'trap', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(predict).toContainText('Right: trap.');
  await expect(predict).toContainText('1 right of 1');
  await expect(vl.machine.getByRole('note', { name: 'Event callout' }).locator('[aria-current="step"]')).toHaveText('trap');
  // The next question; a wrong answer counts too.
  await page.keyboard.press('F11');
  await expect(question.getByRole('button', { name: 'hidden-fault' })).toBeVisible();
  const wrong = (await question.getByRole('button').allTextContents()).find((k) => k !== 'hidden-fault')!;
  await question.getByRole('button', { name: wrong, exact: true }).click();
  await expect(predict).toContainText(`Not quite: it was hidden-fault (you said ${wrong}).`);
  await expect(predict).toContainText('1 right of 2');
  // The question, the score and the sequence view pass axe.
  await page.keyboard.press('F11');
  await expect(question).toBeVisible();
  await page.getByRole('tab', { name: 'Sequence' }).click();
  await expect(page.getByRole('region', { name: 'Sequence' }).getByRole('listitem')).not.toHaveCount(0);
  const axe = await new AxeBuilder({ page }).include('.sequence').include('.predict').analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});
