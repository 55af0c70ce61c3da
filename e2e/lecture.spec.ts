// Issue 6 in the page: share links (every library scenario round trip, stored old links, hostile links),
// the library, Share with its QR code, Compare, the Popek–Goldberg view, presentation mode, saved work.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { deflateSync } from 'fflate';
import jsQR from 'jsqr';
import { LIBRARY, libraryScenario } from '../src/scenario/library';
import { base64url, decodeLink, encodeFragment } from '../src/scenario/link';
import { VirtLabPage } from './virtlab-page';

const DEFAULT_TEXT = 'Hello, VirtLab!';

async function openLink(page: Page, fragment: string): Promise<VirtLabPage> {
  const vl = new VirtLabPage(page);
  await page.goto(`/#${fragment}`);
  await expect(page.getByRole('heading', { name: 'VirtLab', level: 1 })).toBeVisible();
  return vl;
}

// Every library scenario runs to its end on the engine (src/testing/library-runs.test.ts); the page is
// shown two: this one through a share link, and one through the library picker (below).
test('a library scenario through a share link: its VMs, notes and checklist, and Run runs it to its end', async ({ page }) => {
  const entry = LIBRARY.find((e) => e.id === 'two-vms')!;
  const scenario = libraryScenario(entry.id)!;
  const vl = await openLink(page, encodeFragment(scenario));
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await expect(vl.technique).toHaveValue(scenario.technique);
  await expect(vl.editor.getByRole('tab')).toHaveText(scenario.vms.map((v) => v.name));
  await vl.editorReady();
  await expect(vl.lines).toContainText('CMP R1, 2000');
  // The notes and the checklist of the library entry are beside the editor.
  const notes = page.getByRole('region', { name: 'Scenario notes' });
  await expect(notes).toContainText(entry.title);
  await expect(notes.getByRole('checkbox')).toHaveCount(entry.lookFor.length);
  await vl.run.click();
  await expect(vl.status).toHaveText(/Stopped: all VMs stopped/);
  // Both VMs of this lesson finish (the crashing one is the `crashing-vm` scenario's).
  await expect(vl.machine).toContainText(/powered-off/);
  await expect(vl.machine).not.toContainText(/crashed/);
  await expect(vl.console.locator('pre')).not.toHaveText('');
  await expect(page.locator('.banner')).toHaveCount(0);
});

test('a stored old link opens, at its moment', async ({ page }) => {
  // From src/scenario/link.test.ts: links as VirtLab wrote them must open forever.
  const vl = await openLink(page, 's=1.q1Yqyy1WsoquVirOLy1KTlWyUvL1D1MIMtBRMFSqja0FAA&at=2');
  await vl.editorReady();
  await expect(vl.lines).toHaveText(/^\s*MOV\s+R0,\s+1\s*$/);
  await expect(page.locator('.banner')).toHaveCount(0);
  await expect.poll(() => vl.steps()).toBeGreaterThan(0);
});

test.describe('hostile links are refused with the reason, and the default scenario opens', () => {
  const bomb = base64url(deflateSync(new TextEncoder().encode(`{"vms":[{"source":"${' '.repeat(3_000_000)}"}]}`)));
  const cases: [string, string, RegExp][] = [
    ['a decompression bomb', `s=1.${bomb}`, /inflates past 1024 KiB/],
    ['a 70,000-character link', `s=1.${'A'.repeat(70_000)}`, /70,0\d\d characters long/],
    ['a corrupt link', 's=1.!!!not-base64', /corrupt/],
    ['an unknown version', 's=9.AAAA', /newer VirtLab/],
    [
      'invalid fields',
      `s=1.${base64url(deflateSync(new TextEncoder().encode('{"vms":[{"source":"NOP"}],"isa":"mips"}')))}`,
      /isa: expected one of/,
    ],
  ];
  for (const [what, fragment, reason] of cases) {
    test(what, async ({ page }) => {
      const vl = await openLink(page, fragment);
      const banner = page.getByRole('alert').filter({ hasText: 'This link could not be opened' });
      await expect(banner).toContainText(reason);
      await vl.editorReady();
      await expect(vl.lines).toContainText(DEFAULT_TEXT);
      await expect(vl.status).toHaveText(/Paused, ready to run/);
      // Nothing of it became markup.
      await expect(page.locator('script:not([src])')).toHaveCount(0);
    });
  }
});

test('the library picker opens a scenario; edits are kept; Restore original brings it back as shipped', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open();
  await page.getByRole('button', { name: 'Library' }).click();
  const dialog = page.getByRole('dialog', { name: 'Scenario library' });
  await dialog.getByRole('button', { name: /The Red Pill/ }).click();
  await expect(dialog.getByRole('article')).toContainText('Rutkowska');
  await dialog.getByRole('button', { name: /^Open “The Red Pill/ }).click();
  await expect(dialog).toHaveCount(0);
  const notes = page.getByRole('region', { name: 'Scenario notes' });
  await expect(notes).toContainText('The Red Pill');
  const restore = notes.getByRole('button', { name: 'Restore original' });
  await expect(restore).toBeDisabled();
  const shipped = libraryScenario('red-pill')!.vms[0].source;
  await expect.poll(() => vl.sourceText()).toBe(shipped);
  // Tick a step; edit the program.
  await notes.getByRole('checkbox').first().check();
  await expect(notes).toContainText('1 of 3 done');
  await vl.pasteSource(`; my change\n${shipped}`);
  await expect(restore).toBeEnabled();
  await restore.click();
  await expect.poll(() => vl.sourceText()).toBe(shipped);
  // The edited version is one step back.
  await page.getByRole('button', { name: 'Bring it back' }).click();
  await expect.poll(() => vl.sourceText()).toMatch(/^; my change/);
});

test('Share copies the link (with the moment) and shows a QR code that scans', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const vl = new VirtLabPage(page);
  await vl.open();
  await vl.step.click();
  await vl.step.click();
  await vl.atStep(2);
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Share this scenario' });
  await expect(dialog.getByRole('status')).toHaveText(/copied to the clipboard/);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.startsWith(`${baseURL}/#s=1.`)).toBe(true);
  expect(copied).toMatch(/&at=2$/);
  const decoded = decodeLink(copied);
  expect(decoded.ok && decoded.scenario.vms[0].source).toContain(DEFAULT_TEXT);
  await expect(dialog.getByRole('textbox', { name: /Share link/ })).toHaveValue(copied);
  // The QR code as drawn: its modules, read back with jsQR.
  const svg = dialog.getByRole('img', { name: /QR code/ });
  const [viewBox, d] = await Promise.all([svg.getAttribute('viewBox'), svg.locator('path').getAttribute('d')]);
  const n = Number(viewBox?.split(' ')[2]);
  const scale = 4;
  const size = n * scale;
  const pixels = new Uint8ClampedArray(size * size * 4).fill(255);
  for (const m of (d ?? '').matchAll(/M(\d+),(\d+)/g)) {
    const [x, y] = [Number(m[1]), Number(m[2])];
    for (let dy = 0; dy < scale; dy++)
      for (let dx = 0; dx < scale; dx++) {
        const p = ((y * scale + dy) * size + x * scale + dx) * 4;
        pixels[p] = pixels[p + 1] = pixels[p + 2] = 0;
      }
  }
  expect(jsQR(pixels, size, size)?.data).toBe(copied);
  // The link opens the same program at the same moment in a fresh page.
  const other = await context.newPage();
  await other.goto(copied);
  const vl2 = new VirtLabPage(other);
  await vl2.atStep(2);
});

test('Compare runs every technique off the main thread, shows skipped ones with the reason, and exports', async ({ page }) => {
  const vl = await openLink(page, encodeFragment(libraryScenario('two-vms')!));
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await page.getByRole('button', { name: 'Compare' }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare techniques' });
  const chart = dialog.getByRole('img', { name: /Cycles by category/ });
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAccessibleName(/native skipped/);
  await expect(dialog.getByRole('list', { name: 'Fidelity per technique' })).toContainText(/native: skipped: .+/);
  await expect(dialog.getByRole('table')).toContainText('World switches');
  for (const t of ['interpret', 'trap-and-emulate', 'binary-translation', 'hardware-assisted', 'paravirtualization']) {
    await expect(dialog.getByRole('columnheader', { name: t })).toBeVisible();
  }
  const svg = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Chart as SVG' }).click();
  const svgText = await (await svg).createReadStream().then(async (s) => {
    let t = '';
    for await (const c of s) t += c;
    return t;
  });
  expect(svgText).toMatch(/^<\?xml[^>]*>\n<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svgText).toContain('hardware-assisted');
  const png = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Chart as PNG' }).click();
  expect((await png).suggestedFilename()).toBe('virtlab-compare.png');
  const stat = await (await png).path();
  expect(stat).toBeTruthy();
});

test('the run’s events export as CSV and JSON from the worker’s log', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open();
  await vl.technique.selectOption('trap-and-emulate');
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await vl.run.click();
  await expect(vl.status).toHaveText(/Stopped/);
  await page.getByRole('button', { name: 'Compare' }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare techniques' });
  const read = async (name: string) => {
    const dl = page.waitForEvent('download');
    await dialog.getByRole('button', { name }).click();
    let text = '';
    for await (const c of await (await dl).createReadStream()) text += c;
    return text;
  };
  const csv = await read('Events as CSV');
  expect(csv.split('\n')[0]).toBe('step,time,vm,pc,kind,details');
  expect(csv).toContain(',console,');
  const json = JSON.parse(await read('Events as JSON'));
  expect(json.format).toBe('virtlab-trace');
  expect(json.events.length).toBe(csv.trim().split('\n').length - 1);
});

test('the Popek–Goldberg view classifies the ISA and links each violator to its scenario', async ({ page }) => {
  const vl = new VirtLabPage(page);
  await vl.open();
  await page.getByRole('button', { name: 'Popek–Goldberg' }).click();
  const dialog = page.getByRole('dialog', { name: 'Popek–Goldberg analysis' });
  const t1 = dialog.getByRole('region', { name: 'Theorem 1' });
  await expect(t1).toContainText('fails on classic');
  for (const m of ['CPUID', 'POPF', 'PUSHF', 'SIDT', 'SMSW']) await expect(t1).toContainText(m);
  await expect(dialog.getByRole('region', { name: 'Theorem 3' })).toContainText('SIDT');
  await expect(dialog.getByRole('row', { name: /^POPF/ })).toContainText('theorem 1');
  await dialog.getByRole('radio', { name: /strict/ }).check();
  await expect(t1).toContainText('holds on strict');
  await dialog.getByRole('radio', { name: /classic/ }).check();
  // CPUID's row links to the scenario that runs it: "Am I in a VM?".
  await dialog
    .getByRole('row', { name: /^CPUID/ })
    .getByRole('button', { name: /Am I in a VM\?/ })
    .click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Scenario notes' })).toContainText('Am I in a VM?');
  await expect.poll(() => vl.sourceText()).toBe(libraryScenario('am-i-in-a-vm')!.vms[0].source);
  await expect(vl.technique).toHaveValue('trap-and-emulate');
});

/** The axe violations of the page as it stands, one line each. */
async function axeViolations(page: Page): Promise<string[]> {
  // Violations only: collecting the passes too doubles axe's work on a loaded machine.
  const axe = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
  return axe.violations.map((v) => `${v.id}: ${v.nodes.map((x) => x.target.join(' ')).join(', ')}`);
}

/** Visible text whose computed font size is under `min` pixels. */
async function smallText(page: Page, min: number): Promise<string[]> {
  return page.evaluate((least) => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      const el = n.parentElement;
      if (!text || !el) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const visible = [...range.getClientRects()].some(
        (r) => r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
      );
      const style = getComputedStyle(el);
      if (!visible || style.visibility === 'hidden' || Number(style.opacity) === 0 || el.closest('.sr-only')) continue;
      const size = Number.parseFloat(style.fontSize);
      if (size < least) out.push(`${size}px: ${text.slice(0, 40)}`);
    }
    return out;
  }, min);
}

test.describe('presentation mode at 1280×720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('large type only, keyboard stepping, Escape leaves', async ({ page }) => {
    const vl = await openLink(page, encodeFragment(libraryScenario('tae-basics')!));
    await expect(vl.status).toHaveText(/Paused, ready to run/);
    await page.keyboard.press('p');
    const pres = page.locator('.presentation');
    await expect(pres).toBeVisible();
    await expect(page.getByRole('region', { name: 'Editor' })).toBeHidden();
    const status = pres.getByRole('status');
    await page.keyboard.press(' ');
    await expect(status).toContainText('instruction 1');
    const event = pres.getByRole('region', { name: 'Current event' });
    // The step may already show an event: the press must move it (a loaded CI run read the old one).
    const before = (await event.count()) > 0 ? await event.textContent() : null;
    await page.keyboard.press('ArrowRight');
    if (before !== null) await expect(event).not.toHaveText(before);
    await expect(event).toContainText('Why:');
    await expect(event).toContainText(/trap|emulate|hidden-fault/);
    // One event per press, even among the events of one instruction; ← goes back to the one before.
    const at = await event.textContent();
    await page.keyboard.press('ArrowRight');
    await expect(event).not.toHaveText(at ?? '');
    await page.keyboard.press('ArrowLeft');
    await expect(event).toHaveText(at ?? '');
    expect(await smallText(page, 24)).toEqual([]);
    await page.keyboard.press('m');
    await expect(pres.getByRole('region', { name: 'Machine' })).toContainText('Guest kernel');
    expect(await smallText(page, 24)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(pres).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Editor' })).toBeVisible();
  });

  test('the Presentation button enters it too', async ({ page }) => {
    const vl = new VirtLabPage(page);
    await vl.open();
    await page.getByRole('button', { name: 'Presentation', exact: true }).click();
    await expect(page.locator('.presentation')).toBeVisible();
    expect(await smallText(page, 24)).toEqual([]);
    await page.getByRole('button', { name: 'Leave presentation' }).click();
    await expect(page.locator('.presentation')).toHaveCount(0);
  });
});

test('the main screen passes axe, with a library scenario open', async ({ page }) => {
  const vl = await openLink(page, encodeFragment(libraryScenario('popf-problem')!));
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await vl.editorReady();
  expect(await axeViolations(page)).toEqual([]);
});

test.describe('each dialog passes axe', () => {
  for (const [button, name] of [
    ['Library', 'Scenario library'],
    ['Popek–Goldberg', 'Popek–Goldberg analysis'],
    ['Share', 'Share this scenario'],
  ]) {
    test(name, async ({ page }) => {
      const vl = await openLink(page, encodeFragment(libraryScenario('popf-problem')!));
      await expect(vl.status).toHaveText(/Paused, ready to run/);
      await vl.editorReady();
      await page.getByRole('button', { name: button, exact: true }).click();
      const dialog = page.getByRole('dialog', { name });
      await expect(dialog).toBeVisible();
      expect(await axeViolations(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toHaveCount(0);
    });
  }
});

test('the page reloaded mid-edit keeps the edit, the tabs and the settings', async ({ page }) => {
  const vl = await openLink(page, encodeFragment(libraryScenario('two-vms')!));
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await vl.technique.selectOption('trap-and-emulate');
  await page.getByRole('tab', { name: 'vm2' }).click();
  await expect(page.getByRole('tab', { name: 'vm2' })).toHaveAttribute('aria-selected', 'true');
  await vl.pasteSource('; edited just now\n        HLT\n');
  await expect(vl.lines).toContainText('; edited just now');
  // No pause for the debounce: the page saves as it goes away.
  await page.reload();
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await expect(vl.technique).toHaveValue('trap-and-emulate');
  await expect(page.getByRole('tab', { name: 'vm2' })).toHaveAttribute('aria-selected', 'true');
  await vl.editorReady();
  await expect(vl.lines).toContainText('; edited just now');
  // The address bar followed the work: the bookmark is current.
  const decoded = decodeLink(page.url());
  expect(decoded.ok && decoded.scenario.vms[1].source).toBe('; edited just now\n        HLT\n');
});

test('with the network cut after a first visit, the app loads and runs', async ({ page, context }) => {
  const vl = new VirtLabPage(page);
  await vl.open();
  // The service worker has installed every file and controls the page.
  await page.waitForFunction(async () => {
    const reg = await navigator.serviceWorker.ready;
    return reg.active?.state === 'activated' && navigator.serviceWorker.controller !== null;
  });
  await vl.editorReady();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'VirtLab', level: 1 })).toBeVisible();
  await expect(vl.status).toHaveText(/Paused, ready to run/);
  await vl.editorReady();
  await vl.run.click();
  await expect(vl.console).toContainText(DEFAULT_TEXT);
  await context.setOffline(false);
});
