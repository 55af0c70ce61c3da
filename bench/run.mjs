// `npm run bench`: bundles the benchmarks with esbuild (what the browser gets from Vite, minus the
// page) and runs them in plain Node, so that the figures are those of optimised JavaScript.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const out = join(mkdtempSync(join(tmpdir(), 'virtlab-bench-')), 'engine.bench.mjs');
await build({ entryPoints: ['bench/engine.bench.ts'], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning' });
const r = spawnSync(process.execPath, [out, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
