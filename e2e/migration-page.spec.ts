// Checkpoints and live migration on the page (issue 15), as a person uses them: the Checkpoint button, the
// Checkpoints tab's Restore, Download and Open, and the Migration tab on the library's pre-copy scenario.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { SYSCALLS, VirtLabPage } from './virtlab-page';

test('a checkpoint taken with the button: run on, restore, the registers and the console are back', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.openProgram(SYSCALLS, 'trap-and-emulate');
  for (let i = 1; i <= 5; i++) await vl.step.click();
  await vl.atStep(5);
  const registers = await vl.registerText();
  const console = await vl.console.textContent();
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  const panel = page.getByRole('region', { name: 'Checkpoints' });
  await panel.getByRole('button', { name: 'Checkpoint', exact: true }).click();
  const row = panel.getByRole('row', { name: /Checkpoint 1/ });
  await expect(row).toContainText('step 5');
  await expect(row).toContainText(/memory 16 pages/);
  // The timeline marks it.
  await expect(page.getByRole('list', { name: 'Checkpoint marks' })).toHaveText('checkpoint taken at step 5');
  for (let i = 0; i < 3; i++) await vl.step.click();
  await vl.atStep(8);
  expect(await vl.registerText()).not.toBe(registers);
  await panel.getByRole('button', { name: 'Restore Checkpoint 1' }).click();
  await expect(row).toContainText('restored at step 8');
  await expect.poll(() => vl.registerText()).toBe(registers);
  expect(await vl.console.textContent()).toBe(console);
  await expect(page.getByRole('list', { name: 'Checkpoint marks' })).toContainText('checkpoint restored at step 8');
  // The host's clock went on: the timeline is still at step 8, and the run goes on from the checkpoint.
  await vl.atStep(8);
});

test('a checkpoint downloaded as a file opens back; a corrupt file is refused with the reason', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.openProgram(SYSCALLS, 'hardware-assisted');
  for (let i = 1; i <= 5; i++) await vl.step.click();
  await vl.atStep(5);
  await page.keyboard.press('F8');
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  const panel = page.getByRole('region', { name: 'Checkpoints' });
  await expect(panel.getByRole('row', { name: /Checkpoint 1/ })).toContainText('step 5');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Download Checkpoint 1' }).click(),
  ]);
  const path = await download.path();
  const text = readFileSync(path, 'utf8');
  const file = JSON.parse(text);
  expect(file.format).toBe('virtlab-checkpoint');
  expect(file.version).toBe(1);
  expect(file.technique).toBe('hardware-assisted');
  expect(file.steps).toBe(5);
  const opener = panel.getByLabel('Open a checkpoint file');
  await opener.setInputFiles({ name: 'vm1.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect(panel.getByText('Opened vm1.json')).toBeVisible();
  const opened = panel.getByRole('row', { name: /Checkpoint 2/ });
  await expect(opened).toContainText('opened from a file');
  // Run on, then restore the file's checkpoint: the registers are those of step 5 again.
  for (let i = 0; i < 4; i++) await vl.step.click();
  await vl.atStep(9);
  await panel.getByRole('button', { name: 'Restore Checkpoint 2' }).click();
  await expect(opened).toContainText('restored at step 9');
  await vl.stepBack.click();
  await vl.atStep(8);
  const corrupt = { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "virtlab-checkpoint", "vers') };
  await opener.setInputFiles(corrupt);
  await expect(panel.getByText('The file was refused: not a usable checkpoint: the file is corrupt')).toBeVisible();
  const future = { ...file, version: 2 };
  await opener.setInputFiles({ name: 'v2.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(future)) });
  await expect(panel.getByText('reads checkpoint version 1, not 2')).toBeVisible();
  const other = { ...file, program: '00000000' };
  await opener.setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(other)) });
  await expect(panel.getByText('comes from another program')).toBeVisible();
  const technique = { ...file, technique: 'trap-and-emulate' };
  await opener.setInputFiles({ name: 'tae.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(technique)) });
  await expect(panel.getByText('taken under trap-and-emulate, not hardware-assisted')).toBeVisible();
});

test('the pre-copy library scenario: rounds in the grid and the chart, downtime below total time', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open('lib=precopy-converges');
  await page.getByRole('tab', { name: 'Migration' }).click();
  const panel = page.getByRole('region', { name: 'Migration' });
  await expect(panel).toContainText('pre-copy of VM 0 from host A to host B');
  await vl.run.click();
  await expect(vl.status).toHaveText(/^Stopped/);
  const chart = panel.getByRole('img', { name: /^Pages dirtied per round: round 1 / });
  await expect(chart).toBeVisible();
  await expect(panel.getByText(/Pages dirtied per round: converged/)).toBeVisible();
  await expect(panel.getByRole('img', { name: /^Round 1: 16 sent/ })).toBeVisible();
  await expect(panel.getByRole('img', { name: /^Round 2: / })).toBeVisible();
  await expect(panel.getByRole('img', { name: /^Stop-and-copy: / })).toBeVisible();
  const times = await panel.getByRole('img', { name: /^downtime / }).getAttribute('aria-label');
  const [, down, total] = (times ?? '').match(/downtime ([\d,]+) cycles of ([\d,]+)/) ?? [];
  const n = (s: string) => Number(s.replace(/,/g, ''));
  expect(n(down)).toBeGreaterThan(0);
  expect(n(down)).toBeLessThan(n(total));
  await expect(panel.getByRole('img', { name: /The VM is on host B/ })).toBeVisible();
  await expect(vl.machine).toContainText('on host B');
  // Back before the migration: the VM is on host A again, and no round is shown.
  await vl.timeline.focus();
  await page.keyboard.press('Home');
  await vl.atStep(0);
  await expect(panel.getByRole('img', { name: /The VM is (on|running on) host A/ })).toBeVisible();
  await expect(vl.machine).not.toContainText('on host B');
  await expect(vl.machine).toContainText('on host A');
  // The three methods on the same guest, exportable.
  await panel.getByRole('button', { name: 'Compare methods' }).click();
  const table = panel.getByRole('table');
  await expect(table.getByRole('row', { name: /post-copy/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /stop-and-copy/ })).toBeVisible();
  const [csv] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export methods as CSV' }).click()]);
  const lines = readFileSync(await csv.path(), 'utf8')
    .trim()
    .split('\n');
  expect(lines[0]).toBe('method,pages sent,total cycles,downtime cycles,network faults,rounds,converged,same end');
  expect(lines.map((l) => l.split(',')[0])).toEqual(['method', 'pre-copy', 'post-copy', 'stop-and-copy']);
  expect(lines.slice(1).every((l) => l.endsWith(',true'))).toBe(true);
});
