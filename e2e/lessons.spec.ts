// Lessons that check themselves on the page (issues 10 and 13): the hypervisor's vmx events hidden by
// default and one click from view, the Vendor setting (AMD-V's words), and the Guide ticking a library
// step when the run shows it, with "Show me" moving the run to that moment.
import { expect, test } from '@playwright/test';
import { SYSCALLS, VirtLabPage } from './virtlab-page';

test('vmx events are hidden by default under hardware assistance; one click lists them', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.openProgram(SYSCALLS, 'hardware-assisted');
  const list = vl.events.getByRole('listbox', { name: 'Event list' });
  // Before the run: the empty list says what the filter hides.
  await expect(list).toContainText("hides the hypervisor's own VMX/SVM instructions");
  await vl.step.click(); // the first instruction: its exit, the VMREADs, the VMWRITEs, the entry
  for (let i = 0; i < 3; i++) await vl.stepToEvent.click();
  await expect(list.getByRole('option').filter({ hasText: 'vm-exit' }).first()).toBeVisible();
  await expect(list.getByRole('option').filter({ hasText: /^vmx/ })).toHaveCount(0);
  await expect(list).not.toContainText('VMREAD');
  const show = vl.events.getByRole('checkbox', { name: 'Show vmx events' });
  await expect(show).not.toBeChecked();
  await show.click();
  await expect(list).toContainText('VMREAD');
  await expect(list).toContainText('VMRESUME');
  await expect(vl.events.getByRole('combobox', { name: 'Show' })).toHaveValue('all');
  await show.click();
  await expect(list).not.toContainText('VMREAD');
});

test('the Guide ticks a step when the run shows it, and "Show me" moves the run to that moment', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open('lib=am-i-in-a-vm');
  const guide = page.getByRole('region', { name: 'Scenario notes' });
  const step1 = guide.getByRole('group', { name: 'Step 1' });
  const box = step1.getByRole('checkbox');
  await expect(box).not.toBeChecked();
  await expect(step1).toContainText('Run to the end');
  // Step 2 is about `strict`: it says so rather than checking this run.
  await expect(guide.getByRole('group', { name: 'Step 2' })).toContainText('Seen under isa strict');
  await vl.run.click();
  await expect(vl.status).toHaveText(/Stopped/);
  await expect(box).toBeChecked();
  await expect(step1).toContainText(/Seen in this run at step [\d,]+/);
  const end = await vl.steps();
  await step1.getByRole('button', { name: 'Show me' }).click();
  // The moment user mode's SIDT ran directly and saw the hypervisor's IDT: the last event the step matched.
  await expect.poll(() => vl.steps()).toBeLessThan(end);
  const selected = vl.events.getByRole('listbox', { name: 'Event list' }).getByRole('option', { selected: true });
  await expect(selected).toContainText('fidelity-violation');
  await expect(selected).toContainText('SIDT');
  // The run stands where that event happened (its row starts with its step).
  const at = Number(((await selected.getByTitle('instructions retired when it happened').textContent()) ?? '').replace(/,/g, ''));
  await expect.poll(() => vl.steps()).toBeGreaterThanOrEqual(at);
  expect(await vl.steps()).toBeLessThanOrEqual(at + 1);
  // The tick stays the student's: it can be taken back.
  await box.uncheck();
  await expect(box).not.toBeChecked();
  // Step 2's settings, one click away: the run is then on `strict`, and checking it ticks step 2.
  await guide.getByRole('group', { name: 'Step 2' }).getByRole('button', { name: 'Use these settings' }).click();
  await expect(page.getByRole('combobox', { name: 'Instruction set' })).toHaveValue('strict');
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await vl.run.click();
  await expect(vl.status).toHaveText(/Stopped/);
  await expect(guide.getByRole('group', { name: 'Step 2' }).getByRole('checkbox')).toBeChecked();
});

test('AMD-V from the Vendor setting: VMRUN, #VMEXIT names and the VMCB; the link carries it', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open('lib=am-i-in-a-vm');
  const menu = page.getByText('Exit controls', { exact: true });
  await menu.click();
  await expect(page.getByRole('combobox', { name: 'Vendor' })).toHaveCount(0); // not a setting of trap-and-emulate
  await vl.technique.selectOption('hardware-assisted');
  const vendor = page.getByRole('combobox', { name: 'Vendor' });
  await expect(vendor).toHaveValue('intel');
  await vendor.selectOption({ label: 'AMD-V' });
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await vl.run.click();
  await expect(vl.status).toHaveText(/Stopped/);
  const guide = page.getByRole('region', { name: 'Scenario notes' });
  await expect(guide.getByRole('group', { name: 'Step 5' }).getByRole('checkbox')).toBeChecked();
  const end = await vl.steps();
  const list = vl.events.getByRole('listbox', { name: 'Event list' });
  // "Show me": user mode's CPUID, a #VMEXIT with SVM_EXIT_CPUID's code (0x72 = 114).
  await guide.getByRole('group', { name: 'Step 5' }).getByRole('button', { name: 'Show me' }).click();
  await expect.poll(() => vl.steps()).toBeLessThan(end);
  await expect(list.getByRole('option').filter({ hasText: 'vm-exit' }).last()).toContainText('CPUID (114)');
  await vl.events.getByRole('combobox', { name: 'Show' }).selectOption('vm-entry');
  await expect(list).toContainText('VMRUN');
  await expect(list).not.toContainText('VMRESUME');
  await page.getByRole('tab', { name: 'Inspector' }).click();
  await expect(page.getByRole('region', { name: 'Inspector' })).toContainText('VMCB');
  // The address bar's link carries the vendor (a short library link with &vendor=amd).
  await expect.poll(() => page.url()).toContain('vendor=amd');
  await expect.poll(() => vl.addressScenario()?.hypervisor.vendor).toBe('amd');
});
