#!/usr/bin/env node
// `virtlab` (`npm run virtlab`, or a global `virtlab` after `npm link`): runs the command line from one
// bundled file, dist-cli/virtlab.mjs, which starts in a fraction of the time tsx takes. The bundle is
// built with esbuild on first use, and again whenever one of the sources it was built from has changed
// (esbuild's own list of inputs, kept beside it), so a fresh clone, a `git pull` or an edit needs no step.
// `virtlab --build` (`npm run build:cli`) only (re)builds it.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist-cli');
const bundle = join(outDir, 'virtlab.mjs');
const inputsFile = join(outDir, 'virtlab.inputs.json');

/** True when the bundle is missing or older than any file it was built from (or that list is gone). */
function stale() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(inputsFile, 'utf8'));
    if (!Array.isArray(inputs) || inputs.length === 0) return true;
    for (const f of [...inputs, 'bin/virtlab.mjs']) if (statSync(join(root, f)).mtimeMs > built) return true;
    // Dependencies changed (fflate, say): the lock file is newer. Without one, nothing to compare.
    const lock = statSync(join(root, 'package-lock.json'), { throwIfNoEntry: false });
    if (lock && lock.mtimeMs > built) return true;
  } catch {
    return true;
  }
  return false;
}

async function build() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('virtlab: cannot build the command line: esbuild is not installed (run npm ci in the project)\n');
    process.exit(1);
  }
  mkdirSync(outDir, { recursive: true });
  // Written under names of this process, then renamed: two first runs at once never see half a file.
  const tmp = `${bundle}.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: tmp,
    metafile: true,
    logLevel: 'error',
    legalComments: 'none',
    banner: { js: '// Built from src/cli by bin/virtlab.mjs (esbuild); do not edit. Rebuilt when a source changes.' },
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
  const tmpInputs = `${inputsFile}.${process.pid}.tmp`;
  writeFileSync(tmpInputs, `${JSON.stringify({ inputs }, null, 1)}\n`);
  renameSync(tmpInputs, inputsFile);
  renameSync(tmp, bundle);
}

const onlyBuild = process.argv[2] === '--build';
if (onlyBuild || stale()) {
  try {
    await build();
  } catch (e) {
    // esbuild has printed the errors in the sources already; or dist-cli/ could not be written.
    process.stderr.write(`virtlab: cannot build the command line into dist-cli/: ${String(e?.message ?? e).split('\n')[0]}\n`);
    process.exit(1);
  }
}
if (!onlyBuild) {
  const cli = await import(pathToFileURL(bundle).href);
  cli.runMain(process.argv.slice(2));
}
