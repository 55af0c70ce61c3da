import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSTEMS } from '../scenario/systems';
import { main } from './main';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-check-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function cli(...args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(
    args,
    (s) => {
      out += s;
    },
    (s) => {
      err += s;
    },
  );
  return { code, out, err };
}

const HELLO =
  'start: MOV R1, msg\nloop: LOADB R0, [R1]\n CMP R0, 0\n JZ done\n OUT 0xE9, R0\n INC R1\n JMP loop\ndone: OUT 0xF4, 0\nmsg: .asciz "hi\\n"\n';

describe('virtlab check', () => {
  it('prints the JSON of interfaces.md and exits 0 when every step is seen', () => {
    const r = cli('check', '@tae-basics', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['scenario', 'steps', 'passed']);
    expect(j.scenario).toBe('@tae-basics');
    expect(j.passed).toBe(true);
    for (const s of j.steps) {
      expect(s).toMatchObject({ seen: true });
      expect(typeof s.text).toBe('string');
      expect(typeof s.step).toBe('number');
    }
  });

  it("names the step that is not seen, says why, and exits 1 (a lecturer's own scenario)", () => {
    const f = file(
      'mine.vlab.json',
      JSON.stringify({
        technique: 'trap-and-emulate',
        vms: [{ source: HELLO }],
        lookFor: [
          { text: 'It prints hi.', check: { console: 'hi\n' } },
          { text: 'A world switch happens.', check: { event: { kind: 'world-switch' } } },
          {
            text: 'Under hardware assistance, the OUTs exit.',
            check: { event: { kind: 'vm-exit', reasonName: 'IO_INSTRUCTION' } },
            settings: { technique: 'hardware-assisted' },
          },
        ],
      }),
    );
    const r = cli('check', f);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seen 1\. It prints hi\./);
    expect(r.out).toMatch(/NOT SEEN 2\. A world switch happens\./);
    expect(r.out).toMatch(/why: no event matches/);
    expect(r.out).toMatch(/seen 3\. Under hardware assistance/);
    const j = JSON.parse(cli('check', f, '--json').out);
    expect(j.steps.map((s: { seen: boolean }) => s.seen)).toEqual([true, false, true]);
    expect(j.steps[1].step).toBeNull();
    expect(j.passed).toBe(false);
  });

  it('refuses a malformed lookFor with the field path and what was expected', () => {
    const f = file(
      'bad.vlab.json',
      JSON.stringify({ vms: [{ source: HELLO }], lookFor: [{ text: 'x', check: { events: [{ kind: { regex: '.*' } }] } }] }),
    );
    const r = cli('check', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/lookFor\[0\]\.check\.events\[0\]\.kind: expected a value, or one of/);
  });
});

describe('virtlab systems', () => {
  it('lists the real products with id, name, year, technique, type, preset and what VirtLab simplifies', () => {
    const r = cli('systems', '--json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out);
    expect(list.length).toBe(SYSTEMS.length);
    for (const s of list) {
      for (const k of ['id', 'name', 'year', 'technique', 'type', 'preset', 'simplifies']) expect(s).toHaveProperty(k);
    }
    const by = (id: string) => list.find((s: { id: string }) => s.id === id);
    expect(by('vmware-workstation-1')).toMatchObject({ year: 1999, technique: 'binary-translation', type: 2 });
    expect(by('esx-server-1')).toMatchObject({ year: 2001, technique: 'binary-translation', type: 1 });
    expect(by('xen-1')).toMatchObject({ technique: 'paravirtualization', type: 1 });
    expect(by('kvm')).toMatchObject({ technique: 'hardware-assisted', type: 2 });
    expect(by('kvm').simplifies).toMatch(/type 1/);
    expect(by('vm-370')).toMatchObject({ technique: 'trap-and-emulate', isa: 'strict' });
    expect(by('bochs')).toMatchObject({ technique: 'interpret' });
    expect(by('wine')).toMatchObject({ technique: null, type: null });
    expect(cli('systems').out).toMatch(/wine .*not a VM/);
  });

  it('--system sets technique, type and preset; explicit options win; Wine is refused as not a VM', () => {
    const f = file('io.s', 'IN R1, 0x41\nOUT 0xF4, 0\n');
    const j = JSON.parse(cli('run', f, '--system', 'vmware-workstation-1', '--json').out);
    expect(j).toMatchObject({ technique: 'binary-translation', preset: '2006' });
    expect(j.counters.worldSwitches).toBeGreaterThan(0);
    expect(JSON.parse(cli('run', f, '--system', 'esx-server-1', '--json').out).counters.worldSwitches).toBe(0);
    expect(JSON.parse(cli('run', f, '--system', 'kvm', '--technique', 'interpret', '--json').out).technique).toBe('interpret');
    const wine = cli('run', f, '--system', 'wine');
    expect(wine.code).toBe(2);
    expect(wine.err).toMatch(/Wine is not a virtual machine/);
  });
});

describe('virtlab compare: the verdict', () => {
  it('adds a verdict to each result; a crashed run is not comparable and never the best', () => {
    const j = JSON.parse(cli('compare', '@xen-pv', '--json').out);
    const native = j.results.find((r: { technique: string }) => r.technique === 'native');
    expect(native.vms[0].state).toBe('crashed');
    for (const r of j.results) expect(r).toHaveProperty('verdict');
    const pv = j.results.find((r: { technique: string }) => r.technique === 'paravirtualization');
    expect(pv.verdict).toMatchObject({ comparable: false, rank: null, best: false });
    const c = JSON.parse(cli('compare', '@syscall-each', '--json').out);
    const best = c.results.filter((r: { verdict: { best: boolean } }) => r.verdict.best);
    expect(best.length).toBe(1);
    expect(best[0].vms[0].state).toBe('powered-off');
    expect(cli('compare', '@syscall-each').out).toMatch(/paravirtualization\s+not comparable/);
  });
});
