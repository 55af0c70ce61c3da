// Issue 13 in the page: an honest Compare (a crashed run drawn apart, never the cheapest; bare metal's
// result beside it), A/B of two pinned settings with the differences highlighted, the real products
// (the settings-bar picker and the library's method × type table), and bare metal's own words.
import { expect, type Page, test } from '@playwright/test';
import { VirtLabPage } from './virtlab-page';

async function openFromLibrary(page: Page, title: RegExp): Promise<VirtLabPage> {
  const vl = new VirtLabPage(page);
  await vl.open();
  await page.getByRole('button', { name: 'Library' }).click();
  const dialog = page.getByRole('dialog', { name: 'Scenario library' });
  await dialog.getByRole('button', { name: title }).click();
  await dialog.getByRole('button', { name: /^Open “/ }).click();
  await expect(dialog).toHaveCount(0);
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  return vl;
}

test('Compare on “A system call under each technique”: paravirtualization crashed, so it is drawn apart as not comparable', async ({
  page,
}) => {
  await openFromLibrary(page, /A system call under each technique/);
  await page.getByRole('button', { name: 'Compare' }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare techniques' });
  const chart = dialog.getByRole('img', { name: /Cycles by category/ });
  await expect(chart).toBeVisible();
  // The unmodified kernel crashes under paravirtualization: the cheapest bar in cycles, yet not comparable.
  await expect(chart).toHaveAccessibleName(
    /paravirtualization not comparable: vm1 crashed \(after \d+ instructions\) where bare metal did not/,
  );
  await expect(chart).toContainText(/Not comparable: these runs did not finish like the reference/);
  await expect(chart.locator('rect[fill="url(#not-comparable)"]')).toHaveCount(1);
  // The cheapest virtualized run is a comparable one, and only one.
  await expect(chart.getByText(/cheapest virtualized/)).toHaveCount(1);
  await expect(chart).not.toHaveAccessibleName(/paravirtualization[^;]*cheapest/);
  const fidelity = dialog.getByRole('list', { name: 'Fidelity per technique' });
  await expect(fidelity.getByRole('listitem').filter({ hasText: /^paravirtualization:/ })).toHaveText(/does not hold: vm1 crashed/);
  await expect(fidelity.getByRole('listitem').filter({ hasText: /^hardware-assisted:/ })).toHaveText(/holds: it finished like bare metal/);
  // Bare metal's own result is on screen beside the comparison.
  await expect(dialog.getByText(/^Bare metal \(the reference\): vm1 powered-off, exit code 0, console “/)).toBeVisible();
  // The chart as exported carries the verdicts.
  const svg = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Chart as SVG' }).click();
  const stream = await (await svg).createReadStream();
  let text = '';
  for await (const c of stream) text += c;
  expect(text).toContain('not comparable: vm1 crashed');
});

test('Compare gives the published reason when a technique is cheaper than bare metal', async ({ page }) => {
  await openFromLibrary(page, /An unmodified kernel under paravirtualization/);
  await page.getByRole('button', { name: 'Compare' }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare techniques' });
  const why = dialog.getByRole('region', { name: 'Cheaper than bare metal' });
  await expect(why).toContainText(/binary-translation is cheaper than bare metal here\. The translator turns the guest's IN and OUT/);
  await expect(why).toContainText('K. Adams and O. Agesen');
});

test('A/B: Intel against AMD, the differences highlighted', async ({ page }) => {
  await openFromLibrary(page, /VT-x exits and the exit controls/);
  await page.getByRole('button', { name: 'Compare' }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare techniques' });
  await dialog.getByRole('button', { name: 'Intel / AMD' }).click();
  await expect(dialog.getByRole('combobox', { name: 'A: Vendor' })).toHaveValue('intel');
  await expect(dialog.getByRole('combobox', { name: 'B: Vendor' })).toHaveValue('amd');
  await dialog.getByRole('button', { name: 'Run A and B' }).click();
  const table = dialog.getByRole('table', { name: 'A/B comparison' });
  await expect(table).toBeVisible();
  const row = (name: string) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await expect(row('Vendor')).toHaveClass(/differs/);
  await expect(row('Vendor')).toContainText('≠ differs');
  // Intel's exit-reason names against AMD's #VMEXIT codes: the same exits under other names.
  await expect(row('VM exits: IO_INSTRUCTION')).toHaveClass(/differs/);
  await expect(row('VM exits: IOIO')).toHaveClass(/differs/);
  // The guest saw the same machine: its console and registers are alike.
  await expect(row('Technique')).not.toHaveClass(/differs/);
  await expect(row('vm1').filter({ has: page.locator('pre') })).not.toHaveClass(/differs/);
  await expect(row('R0')).not.toHaveClass(/differs/);
  await dialog.getByRole('checkbox', { name: 'Only the differences' }).check();
  await expect(row('R0')).toHaveCount(0);
  await expect(row('Vendor')).toBeVisible();
});

test('A/B: classic against strict on the POPF problem shows the fidelity violations of classic only', async ({ page }) => {
  await openFromLibrary(page, /The POPF problem/);
  await page.getByRole('button', { name: 'Compare' }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare techniques' });
  await dialog.getByRole('button', { name: 'classic / strict' }).click();
  await dialog.getByRole('button', { name: 'Run A and B' }).click();
  const table = dialog.getByRole('table', { name: 'A/B comparison' });
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Fidelity violations', exact: true }) });
  await expect(row).toHaveClass(/differs/);
  await expect(row.getByRole('cell').nth(1)).toHaveText('0');
});

test('a real product chosen from the picker sets technique, type and preset; Wine is not a VM', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open();
  const product = page.getByRole('combobox', { name: 'Real product' });
  const type = page.getByRole('combobox', { name: 'Hypervisor type' });
  const preset = page.getByRole('combobox', { name: 'Cost preset' });
  const isa = page.getByRole('combobox', { name: 'Instruction set' });
  await product.selectOption({ label: 'VMware Workstation 1.0 (1999)' });
  await expect(vl.technique).toHaveValue('binary-translation');
  await expect(type).toHaveValue('2');
  await expect(preset).toHaveValue('2006');
  await expect(isa).toHaveValue('classic');
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await product.selectOption({ label: 'IBM CP-67 (1967)' });
  await expect(vl.technique).toHaveValue('trap-and-emulate');
  await expect(type).toHaveValue('1');
  await expect(isa).toHaveValue('strict');
  // QEMU says how its translator differs from VMware's.
  await product.selectOption({ label: 'QEMU (TCG) (2003)' });
  await expect(vl.technique).toHaveValue('binary-translation');
  await expect(preset).toHaveValue('modern');
  await page.getByText('QEMU (TCG): what it did and what VirtLab simplifies').click();
  await expect(page.getByText(/VMware's translator is x86 to x86, translates only guest-kernel code/)).toBeVisible();
  // A setting changed by hand: the settings are no longer QEMU's.
  await type.selectOption('1');
  await expect(product).toHaveValue('');
  // Wine changes nothing and says why.
  await product.selectOption({ label: 'Wine (1993): not a VM' });
  await expect(page.getByText(/^Not a virtual machine: Wine runs Windows programs as ordinary processes/)).toBeVisible();
  await expect(vl.technique).toHaveValue('binary-translation');
  await expect(type).toHaveValue('1');
});

test('the library’s table of method against hypervisor type opens each product and its settings', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open();
  await page.getByRole('button', { name: 'Library' }).click();
  const dialog = page.getByRole('dialog', { name: 'Scenario library' });
  await dialog.getByRole('button', { name: /^Real products/ }).click();
  const table = dialog.getByRole('table', { name: 'Virtualization method and hypervisor type' });
  const bt = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /Binary translation/ }) });
  await expect(bt.getByRole('cell').nth(0)).toHaveText('VMware ESX Server 1.0');
  await expect(bt.getByRole('cell').nth(1)).toHaveText(/VMware Workstation 1\.0.*QEMU \(TCG\)/);
  const notVm = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /Not a VM/ }) });
  await notVm.getByRole('button', { name: 'Wine' }).click();
  await expect(dialog.getByRole('region', { name: 'Wine' })).toContainText(
    /Wine \(1993\): not a virtual machine\..*Wine Is Not an Emulator/,
  );
  await expect(dialog.getByRole('button', { name: /^Use Wine/ })).toHaveCount(0);
  await table.getByRole('button', { name: 'Xen 1.0' }).click();
  await dialog.getByRole('button', { name: 'Use Xen 1.0’s settings' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(vl.technique).toHaveValue('paravirtualization');
  await expect(page.getByRole('combobox', { name: 'Hypervisor type' })).toHaveValue('1');
  await expect(page.getByRole('combobox', { name: 'Cost preset' })).toHaveValue('2006');
});

test('on bare metal the page shows a machine, not a guest', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open();
  await expect(vl.technique).toHaveValue('native');
  await expect(vl.registers).toContainText(/the machine's CPU/);
  await expect(vl.registers.getByText(/^vIF /)).toHaveCount(0);
  await expect(vl.registers.getByText(/^IF [01]$/)).toBeVisible();
  await expect(vl.registers.getByRole('rowheader', { name: 'Mode', exact: true })).toHaveCount(0);
  await expect(vl.machine).toContainText('the machine');
  await expect(vl.machine).not.toContainText(/Guest (user|kernel)/);
  await vl.run.click();
  await expect(vl.status).toHaveText('Stopped: the machine stopped');
  // Under a hypervisor the guest's virtual IF is beside the real one again.
  await vl.technique.selectOption('trap-and-emulate');
  await expect(vl.registers.getByText(/^vIF [01]$/)).toBeVisible();
  await expect(vl.registers.getByRole('rowheader', { name: 'Mode', exact: true })).toBeVisible();
});
