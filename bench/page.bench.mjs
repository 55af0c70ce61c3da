// `npm run bench` (after the engine benchmarks): the page in Chromium, driven by Playwright. Prints
// figures; asserts nothing (benchmarks are not tests). The build goes to a directory of its own and is
// served by `vite preview` on a free port, so a running dev server or test run is never disturbed.
//
//   cold load      navigation to Run enabled (the default program loaded and paused), fresh browser context
//   JS before the editor   gzip bytes of the JavaScript the page fetches before the Monaco chunk
//   long tasks     the longest main-thread task (PerformanceObserver 'longtask') while running at full speed
//   frames         panel updates (store commits) per animation frame while running
//   Step / Step back   key press to the Registers panel updated, and to the next frame painted
//   seek           on a 10-million-instruction run: the timeline's keys, key press to panels updated
//   printing loop  the first program students write (OUT 0xE9, 65 / OUT 0xE9, 10 / JMP loop) under
//                  trap-and-emulate for 6 s: main-thread tasks over 50 ms (the goal: none), frames/s,
//                  event rows still "…" while running, and Pause (F6) to the status saying Paused (goal:
//                  within 100 ms). Opened from a share link, so it needs no test hook.
//   PAGE_BENCH_ONLY=printing runs that one alone.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { deflateSync } from 'fflate';
import { chromium } from 'playwright';

const SYSCALLS = `        LIDT idt
        MOV R0, 0xE000
        MOV KSP, R0
        PUSH 0x9000
        PUSH 3
        PUSH 0x200
        PUSH user
        IRET
user:   INC R4
        INT 0x80
        JMP user
handler:
        INC R5
        OUT 0xE9, 46
        IRET
        .align 8
idt:    .space 128 * 4
        .word handler
`;

/** System calls every 50 or so instructions: a few hundred thousand hypervisor events per 10 million. */
const SOMETIMES = SYSCALLS.replace('user:   INC R4\n', `user:   INC R4\n${'        ADD R6, 1\n'.repeat(48)}`);

const COMPUTE = `loop:   ADD R1, 3
        XOR R2, R1
        INC R3
        JMP loop
`;

/** The first program students write: a console in a loop. Each OUT traps under trap-and-emulate. */
const PRINTING = `loop:   OUT 0xE9, 65
        OUT 0xE9, 10
        JMP loop
`;

/** A share link's fragment (interfaces.md: raw DEFLATE, base64url), built here without the page's code. */
function linkFragment(scenario) {
  return `s=1.${deflateRawSync(Buffer.from(JSON.stringify({ format: 'virtlab-scenario', version: 1, ...scenario }))).toString('base64url')}`;
}

/** The printing loop for 6 s at full speed: long tasks, frames, "…" rows, Pause latency. */
async function printingLoop(browser, base, results) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  await page.goto(`${base}#${linkFragment({ technique: 'trap-and-emulate', vms: [{ name: 'vm1', source: PRINTING }] })}`);
  await page
    .getByRole('status')
    .filter({ hasText: /Paused, ready to run/ })
    .waitFor();
  await page.waitForTimeout(1500); // the editor chunk loads while idle
  const runAt = await page.evaluate(() => {
    window.__bench.longtasks = [];
    window.__bench.frames = 0;
    return performance.now();
  });
  const t0 = Date.now();
  await page.keyboard.press('F5');
  let loadingRows = 0;
  let samples = 0;
  while (Date.now() - t0 < 6000) {
    await page.waitForTimeout(500);
    const { dots, rows } = await page.evaluate(() => {
      const all = [...document.querySelectorAll('.event-row')];
      return { rows: all.length, dots: all.filter((r) => r.querySelector('.ev-loading')).length };
    });
    samples++;
    if (rows > 0 && dots === rows) loadingRows++;
  }
  const elapsed = Date.now() - t0;
  const pause = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const status = document.querySelector('[role="status"]');
        const t = performance.now();
        const mo = new MutationObserver(() => {
          if (/^Paused/.test(status.textContent ?? '')) {
            mo.disconnect();
            resolve(performance.now() - t);
          }
        });
        mo.observe(status, { subtree: true, childList: true, characterData: true });
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F6', code: 'F6', bubbles: true }));
      }),
  );
  const { longtasks, frames } = await page.evaluate(() => window.__bench);
  const over = longtasks.filter((t) => t.duration > 50);
  results.push([
    'printing loop, trap-and-emulate, 6 s: main-thread tasks over 50 ms',
    over.length
      ? `${over.length}, longest ${ms(Math.max(...over.map((t) => t.duration)))}, starting ${over.map((t) => `${Math.round(t.start - runAt)}`).join(', ')} ms after Run`
      : 'none',
    `goal: none; ${(frames / (elapsed / 1000)).toFixed(0)} frames/s; event list all "…" in ${loadingRows} of ${samples} samples`,
  ]);
  results.push(['printing loop: Pause (F6) to the status saying Paused', ms(pause), 'goal: within 100 ms']);
  await context.close();
}

const ms = (v) => `${v.toFixed(1)} ms`;
const kb = (v) => `${(v / 1024).toFixed(1)} KB`;
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], ...opts });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

async function waitForServer(url, ms = 30_000) {
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    if (Date.now() - t0 > ms) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Hooks installed before the page's own scripts: long tasks, key-press timestamps, frame counting. */
function instrument() {
  window.__bench = { longtasks: [], keys: [], frames: 0, commits: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.addEventListener('keydown', (e) => window.__bench.keys.push({ key: e.key, t: performance.now() }), true);
  const tick = () => {
    window.__bench.frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/** Key press → Registers panel changed (MutationObserver) → next frame; in the page. */
async function keyLatency(page, key, regionName) {
  await page.evaluate((name) => {
    const region = [...document.querySelectorAll('section[aria-label]')].find((s) => s.getAttribute('aria-label') === name);
    window.__lat = { mutated: 0, painted: 0 };
    const mo = new MutationObserver(() => {
      if (window.__lat.mutated) return;
      window.__lat.mutated = performance.now();
      requestAnimationFrame(() => {
        window.__lat.painted = performance.now();
      });
      mo.disconnect();
    });
    mo.observe(region, { subtree: true, childList: true, characterData: true, attributes: true });
  }, regionName);
  await page.keyboard.press(key);
  await page.waitForFunction(() => window.__lat.painted > 0, null, { timeout: 10_000 });
  return page.evaluate((k) => {
    const down = window.__bench.keys.findLast((e) => e.key === k)?.t ?? 0;
    return { panel: window.__lat.mutated - down, frame: window.__lat.painted - down };
  }, key.split('+').at(-1));
}

/** A share link's fragment for one VM running `source` under `technique` (src/scenario/link.ts, version 1). */
function linkTo(source, technique) {
  const json = JSON.stringify({ format: 'virtlab-scenario', version: 1, technique, vms: [{ name: 'vm1', source }] });
  return `s=1.${Buffer.from(deflateSync(new TextEncoder().encode(json), { level: 9 })).toString('base64url')}`;
}

let opened = 0;
/** Opens the program through a share link, as a student would (the page has no test hook). */
async function setSource(page, source, technique) {
  opened++;
  await page.goto(`${page.url().split(/[?#]/)[0]}?bench=${opened}#${linkTo(source, technique)}`);
  await page
    .getByRole('status')
    .filter({ hasText: /Paused, ready to run/ })
    .waitFor();
  await page.getByRole('slider', { name: 'Timeline' }).and(page.locator('[aria-valuenow="0"]')).waitFor();
}

const steps = (page) => page.getByRole('slider', { name: 'Timeline' }).getAttribute('aria-valuenow').then(Number);

async function main() {
  const out = mkdtempSync(join(tmpdir(), 'virtlab-page-bench-'));
  process.stdout.write('page benchmarks: building… ');
  await run('npx', ['vite', 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'error']);
  const port = await freePort();
  const server = spawn('npx', ['vite', 'preview', '--outDir', out, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    stdio: 'ignore',
    detached: true,
  });
  const base = `http://127.0.0.1:${port}/`;
  const executablePath = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  const results = [];
  try {
    await waitForServer(base);
    console.log('done');
    await printingLoop(browser, base, results);
    if (process.env.PAGE_BENCH_ONLY === 'printing') return;

    // Cold loads: a fresh context each time (empty cache), navigation to Run enabled.
    const loads = [];
    let bytesBeforeEditor = 0;
    let workerBytes = 0;
    const beforeEditor = [];
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      let editorSeen = false;
      const files = [];
      page.on('response', async (r) => {
        const url = r.url();
        if (!url.endsWith('.js')) return;
        if (/monaco|editor\.worker/.test(url)) editorSeen = true;
        if (editorSeen) return;
        files.push(r);
      });
      const t0 = Date.now();
      await page.goto(base);
      await page.getByRole('button', { name: 'Run', exact: true }).and(page.locator(':enabled')).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: /Paused, ready to run/ })
        .waitFor();
      loads.push(Date.now() - t0);
      if (i === 0) {
        await page.waitForTimeout(1500);
        for (const r of files) {
          const body = await r.body().catch(() => null);
          if (!body) continue;
          const gz = gzipSync(body).length;
          const name = new URL(r.url()).pathname.split('/').pop();
          if (/engine\.worker/.test(name)) workerBytes += gz;
          else bytesBeforeEditor += gz;
          beforeEditor.push(`${name} ${kb(gz)}`);
        }
      }
      await context.close();
    }
    results.push([
      'cold load to Run enabled (median of 5)',
      ms(median(loads)),
      `min ${ms(Math.min(...loads))}, max ${ms(Math.max(...loads))}`,
    ]);
    results.push(['JavaScript before the editor chunk (gzip)', kb(bytesBeforeEditor), `page; plus the engine worker ${kb(workerBytes)}`]);

    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    await context.addInitScript(instrument);
    const page = await context.newPage();
    await page.goto(base);
    await page
      .getByRole('status')
      .filter({ hasText: /Paused, ready to run/ })
      .waitFor();

    // Full speed, a chatty guest (a system call every three instructions: traps, reflections, console).
    await setSource(page, SYSCALLS, 'trap-and-emulate');
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      window.__bench.longtasks = [];
      window.__bench.frames = 0;
    });
    const t0 = Date.now();
    await page.keyboard.press('F5');
    await page.waitForTimeout(4000);
    await page.keyboard.press('F6');
    const elapsed = Date.now() - t0;
    const { longtasks, frames } = await page.evaluate(() => window.__bench);
    const ran = await steps(page);
    const longest = longtasks.reduce((m, t) => Math.max(m, t.duration), 0);
    results.push([
      'longest main-thread task, 4 s at full speed',
      longtasks.length ? ms(longest) : 'none over 50 ms',
      `${longtasks.length} long tasks; ${(frames / (elapsed / 1000)).toFixed(0)} frames/s; ${(ran / (elapsed / 1000) / 1e6).toFixed(1)} M instructions/s (trap-and-emulate, a system call every 3)`,
    ]);

    // Key press to panels updated, Step and Step back.
    await page.keyboard.press('Control+Shift+F5');
    await page.getByRole('slider', { name: 'Timeline' }).and(page.locator('[aria-valuenow="0"]')).waitFor();
    for (let i = 0; i < 3; i++) await keyLatency(page, 'F10', 'Registers'); // warm up
    const step = [];
    const back = [];
    for (let i = 0; i < 20; i++) step.push(await keyLatency(page, 'F10', 'Registers'));
    for (let i = 0; i < 20; i++) back.push(await keyLatency(page, 'Shift+F10', 'Registers'));
    const fmtLat = (a) =>
      `${ms(median(a.map((x) => x.panel)))} to the panel, ${ms(median(a.map((x) => x.frame)))} to the next frame (median of 20; max ${ms(Math.max(...a.map((x) => x.panel)))})`;
    results.push(['Step (F10): key press to Registers updated', fmtLat(step), '']);
    results.push(['Step back (Shift+F10): key press to Registers updated', fmtLat(back), '']);

    // Seek on a 10-million-instruction run.
    for (const [label, source, technique] of [
      ['compute loop, native', COMPUTE, 'native'],
      ['a system call every 50 instructions, trap-and-emulate', SOMETIMES, 'trap-and-emulate'],
    ]) {
      await setSource(page, source, technique);
      const timeline = page.getByRole('slider', { name: 'Timeline' });
      await page.keyboard.press('F5');
      const tRun = Date.now();
      while ((await steps(page)) < 10_000_000) await page.waitForTimeout(50);
      await page.keyboard.press('F6');
      await page
        .getByRole('status')
        .filter({ hasText: /^Paused$/ })
        .waitFor();
      const runMs = Date.now() - tRun;
      const end = await steps(page);
      await timeline.focus();
      const backs = [];
      const forwards = [];
      // Backwards: Page Down (a tenth back) nine times, then Home; forwards: Page Up (a tenth on) and End.
      for (const key of ['PageDown', 'PageDown', 'PageDown', 'PageDown', 'PageDown', 'Home'])
        backs.push(await keyLatency(page, key, 'Registers'));
      for (const key of ['PageUp', 'PageUp', 'End']) {
        const before = await steps(page);
        const k0 = Date.now();
        await page.keyboard.press(key);
        await page.waitForFunction(
          (b) => Number(document.querySelector('[role="slider"][aria-label="Timeline"]').getAttribute('aria-valuenow')) > b,
          before,
          { timeout: 120_000 },
        );
        await page.waitForFunction(() => document.querySelector('[role="status"]').textContent === 'Paused', null, { timeout: 120_000 });
        forwards.push(Date.now() - k0);
      }
      results.push([
        `seek back on a ${(end / 1e6).toFixed(1)} M-instruction run (${label})`,
        `${ms(median(backs.map((x) => x.panel)))} median, ${ms(Math.max(...backs.map((x) => x.panel)))} max`,
        `key press to panels updated; the run took ${(runMs / 1000).toFixed(1)} s`,
      ]);
      results.push([
        `seek forwards, a tenth or to the end (${label})`,
        `${ms(median(forwards))} median, ${ms(Math.max(...forwards))} max`,
        'replayed in slices (Pause still answers)',
      ]);
    }
    await context.close();
  } finally {
    await browser.close();
    try {
      process.kill(-server.pid);
    } catch {}
    // Printed here so that PAGE_BENCH_ONLY's early return prints too.
    const width = Math.max(...results.map((r) => r[0].length));
    console.log('');
    for (const [what, value, note] of results) console.log(`${what.padEnd(width)}  ${value}${note ? `  (${note})` : ''}`);
  }
}

await main();
