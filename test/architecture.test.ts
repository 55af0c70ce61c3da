// Dependencies point one way (guide/architecture.md): isa ← machine ← hypervisor ← worker, and the
// page imports isa, scenario, protocol and trace only — never the engine. This fails on a wrong-way import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;

/** What each top-level folder of src/ may import (besides itself), for code that runs. */
const ALLOWED: Record<string, string[]> = {
  config: [],
  isa: [],
  trace: ['config', 'isa'],
  machine: ['config', 'isa', 'trace'],
  scenario: ['config', 'isa', 'trace'],
  hypervisor: ['config', 'isa', 'trace', 'machine', 'scenario'],
  protocol: ['config', 'hypervisor/technique'],
  worker: ['config', 'isa', 'trace', 'machine', 'hypervisor', 'scenario', 'protocol'],
  cli: ['config', 'isa', 'trace', 'machine', 'hypervisor', 'scenario'],
  testing: ['config', 'isa', 'trace', 'machine', 'hypervisor', 'scenario'],
  ui: ['config', 'isa', 'trace', 'scenario', 'protocol'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('architecture', () => {
  it('has no wrong-way imports', () => {
    const wrong: string[] = [];
    for (const file of files(SRC)) {
      const rel = relative(SRC, file);
      const area = rel.split('/')[0];
      const allowed = ALLOWED[area];
      if (!allowed) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm)) {
        const [, , typeOnly, spec] = m;
        if (typeOnly || !spec.startsWith('.') || spec.endsWith('?worker')) continue;
        const target = relative(SRC, join(file, '..', spec));
        if (target.startsWith('..')) continue;
        const targetArea = target.split('/')[0];
        if (targetArea === area) continue;
        if (allowed.includes(targetArea) || allowed.some((a) => target === a || target.startsWith(`${a}.`) || target.startsWith(`${a}/`)))
          continue;
        wrong.push(`${rel} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
