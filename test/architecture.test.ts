// Dependencies point one way (guide/architecture.md): isa ← machine ← hypervisor ← worker; the page imports
// config, isa, scenario and protocol only, never the engine; the protocol imports only the leaves both sides
// share (config, isa), so that it owns the types of what crosses. Type-only imports count like any other: a
// type imported the wrong way is still a dependency the wrong way. And no module depends on itself through
// others (no import cycles, type-only ones included).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;

/** What each top-level folder of src/ may import (besides itself), types included. */
const ALLOWED: Record<string, string[]> = {
  config: [],
  isa: [],
  trace: ['config', 'isa'],
  machine: ['config', 'isa', 'trace'],
  scenario: ['config', 'isa', 'trace'],
  hypervisor: ['config', 'isa', 'trace', 'machine', 'scenario'],
  protocol: ['config', 'isa'],
  worker: ['config', 'isa', 'trace', 'machine', 'hypervisor', 'scenario', 'protocol'],
  cli: ['config', 'isa', 'trace', 'machine', 'hypervisor', 'scenario'],
  testing: ['config', 'isa', 'trace', 'machine', 'hypervisor', 'scenario'],
  ui: ['config', 'isa', 'scenario', 'protocol'],
  sw: [],
};

/**
 * Import cycles known and not yet broken, each as the sorted files of one strongly connected component.
 * src/cli is being changed elsewhere: format.ts takes CompareEntry from commands.ts, which takes the type
 * Options from main.ts, which imports both (the fix: CompareEntry from hypervisor/engine, Options in a file
 * of its own). Remove an entry once its cycle is gone; the test fails until then, and on any new cycle.
 */
const KNOWN_CYCLES: string[][] = [['cli/commands.ts', 'cli/format.ts', 'cli/main.ts']];

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) ? [p] : [];
    });
}

/**
 * The relative module specifiers of a file: `import … from`, `import type … from`, `export … from`,
 * `export type … from`, bare `import '…'` and `import('…')` (dynamic, or `typeof import('…')` in a type).
 * A `?worker` import starts another bundle (the page starting the engine's worker): not a dependency.
 */
function specifiers(text: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1])).filter((s) => s.startsWith('.') && !s.includes('?'));
}

/** The file a relative specifier names (`x`, `x.ts`, `x.tsx`, `x/index.ts`), or null for a non-TypeScript file. */
function resolve(from: string, spec: string): string | null {
  const base = join(dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, `${base}.d.ts`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (/\.tsx?$/.test(c) && existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

/** Every src/ module (tests left out: nothing imports them) and the modules it imports, as paths under src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files(SRC)) {
    const deps: string[] = [];
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      const target = resolve(file, spec);
      if (target) deps.push(relative(SRC, target));
      else if (!/\.(css|json|svg|png|wasm)$/.test(spec)) throw new Error(`${relative(SRC, file)}: cannot resolve '${spec}'`);
    }
    graph.set(relative(SRC, file), [...new Set(deps)]);
  }
  return graph;
}

/** The strongly connected components of more than one module, or of one that imports itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** One cycle through the component's first module, for the failure message: a → b → … → a. */
function oneCycle(graph: Map<string, string[]>, component: readonly string[]): string {
  const inside = new Set(component);
  const start = component[0];
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift() as string;
    for (const w of graph.get(v) ?? []) {
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(from.get(path[0]) as string);
        return [...path, start].join(' → ');
      }
      if (inside.has(w) && !from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return component.join(', ');
}

describe('architecture', () => {
  const graph = importGraph();

  it('has no wrong-way imports, type-only ones included', () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      const area = file.split('/')[0];
      const allowed = ALLOWED[area];
      if (!allowed) {
        wrong.push(`${file}: src/${area} has no entry in ALLOWED`);
        continue;
      }
      for (const target of deps) {
        const targetArea = target.split('/')[0];
        if (targetArea === area) continue;
        if (allowed.includes(targetArea) || allowed.some((a) => target === a || target.startsWith(`${a}.`) || target.startsWith(`${a}/`)))
          continue;
        wrong.push(`${file} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycles, type-only ones included', () => {
    const found = cycles(graph);
    const unknown = found.filter((c) => !KNOWN_CYCLES.some((k) => k.join() === c.join())).map((c) => oneCycle(graph, c));
    expect(unknown).toEqual([]);
    // A known cycle that is gone leaves the list too, so that it cannot come back unnoticed.
    expect(KNOWN_CYCLES.filter((k) => !found.some((c) => c.join() === k.join()))).toEqual([]);
  });

  it('sees every kind of import', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      'import {\n  type C,\n  d,\n} from "./c";',
      "export * from './e';",
      "export type { F } from './f';",
      "import './g.css';",
      "const m = import('./h');",
      "type M = typeof import('./i');",
      "import W from './w?worker';",
      "import { x } from 'zustand';",
    ].join('\n');
    expect(specifiers(text).sort()).toEqual(['../b', './a', './c', './e', './f', './g.css', './h', './i']);
  });
});
