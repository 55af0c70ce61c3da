// Draws the app's PNG icons (public/icons/icon-192.png, icon-512.png) from public/icons/icon.svg with the
// local Chromium, so the manifest's icons are made here and committed: `node scripts/gen-icons.mjs`.
// The icon fills its square (a "maskable" icon keeps its drawing inside the middle 80%).
import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright';

const svg = readFileSync(new URL('../public/icons/icon.svg', import.meta.url), 'utf8');
const executablePath = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
for (const size of [192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<html><body style="margin:0">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
  await page.screenshot({ path: new URL(`../public/icons/icon-${size}.png`, import.meta.url).pathname, omitBackground: false });
  await page.close();
}
await browser.close();
console.log('public/icons/icon-192.png, icon-512.png');
