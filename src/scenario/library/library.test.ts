import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../hypervisor/engine';
import { decodeLink, encodeFragment } from '../link';
import { validateScenario } from '../scenario';
import { LIBRARY, libraryScenario } from '.';

describe('the scenario library', () => {
  it('has at least 16 scenarios, each with a title, topics, notes and what to look for', () => {
    expect(LIBRARY.length).toBeGreaterThanOrEqual(16);
    expect(new Set(LIBRARY.map((e) => e.id)).size).toBe(LIBRARY.length);
    for (const e of LIBRARY) {
      expect(e.id).toMatch(/^[a-z0-9-]+$/);
      expect(e.title.length).toBeGreaterThan(5);
      expect(e.topics.length).toBeGreaterThan(0);
      expect(e.notes.length).toBeGreaterThan(40);
      expect(e.lookFor.length).toBeGreaterThanOrEqual(2);
    }
  });

  for (const e of LIBRARY) {
    it(`${e.id}: validates, runs to the end, and survives a share link`, () => {
      const v = validateScenario(e.scenario);
      expect(v.ok, v.ok ? '' : v.errors.join('\n')).toBe(true);
      const s = libraryScenario(e.id);
      if (!s) throw new Error('no scenario');
      expect(s.vms.every((vm) => vm.source.length > 0)).toBe(true);
      const p = prepare(s);
      expect(p.kind, p.kind === 'ready' ? '' : JSON.stringify(p).slice(0, 300)).toBe('ready');
      if (p.kind !== 'ready') return;
      const stop = p.engine.runToEnd();
      expect(['all-stopped', 'step-limit']).toContain(stop);
      const link = decodeLink(encodeFragment(s, 7));
      expect(link.ok && link.scenario).toEqual(s);
    });
  }

  it('was generated from the current programs (run `npm run gen:library` after changing them)', async () => {
    // @ts-expect-error: a plain .mjs script without types
    const { generate } = await import('../../../scripts/gen-library-programs.mjs');
    const current = readFileSync(new URL('./programs.generated.ts', import.meta.url), 'utf8');
    expect(current).toBe(generate());
  });
});
