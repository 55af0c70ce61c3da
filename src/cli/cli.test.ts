import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { LIBRARY } from '../scenario/library';
import { base64url } from '../scenario/link';
import { main } from './main';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-'));
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

const HELLO = file(
  'hello.s',
  'start: MOV R1, msg\nloop: LOADB R0, [R1]\n CMP R0, 0\n JZ done\n OUT 0xE9, R0\n INC R1\n JMP loop\ndone: OUT 0xF4, 3\nmsg: .asciz "hello\\n"\n',
);

describe('virtlab command line', () => {
  it('runs a program and prints the JSON of interfaces.md', () => {
    const r = cli('run', HELLO, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['technique', 'isa', 'preset', 'paging', 'stop', 'vms', 'counters', 'cycles']);
    expect(j).toMatchObject({ technique: 'native', isa: 'classic', preset: 'modern', stop: { reason: 'all-stopped' } });
    expect(j.vms[0]).toMatchObject({ name: 'vm1', state: 'powered-off', exitCode: 3, console: 'hello\n', fidelity: [] });
    expect(Object.keys(j.vms[0].cpu)).toEqual([
      'R0',
      'R1',
      'R2',
      'R3',
      'R4',
      'R5',
      'R6',
      'R7',
      'PC',
      'FLAGS',
      'CPL',
      'CR0',
      'CR2',
      'CR3',
      'IDTR',
      'KSP',
    ]);
    for (const k of [
      'instructions',
      'traps',
      'emulated',
      'reflected',
      'injected',
      'vmExits',
      'vmExitsByReason',
      'hypercalls',
      'hypercallsByName',
      'translatedBlocks',
      'tcHits',
      'worldSwitches',
      'hiddenFaults',
      'shadowUpdates',
      'tlbMisses',
      'fidelityViolations',
    ]) {
      expect(j.vms[0].counters).toHaveProperty(k);
      expect(j.counters).toHaveProperty(k);
    }
    expect(j.counters.instructions).toBe(j.vms[0].counters.instructions);
    expect(j.cycles.total).toBe(Object.values(j.cycles.byCategory as Record<string, number>).reduce((a, b) => a + b, 0));
  });

  it('includes events with --trace', () => {
    const j = JSON.parse(cli('run', HELLO, '--json', '--trace').out);
    const kinds = new Set(j.events.map((e: { kind: string }) => e.kind));
    expect(kinds).toContain('instruction');
    expect(kinds).toContain('console');
    expect(kinds).toContain('io');
    expect(kinds).toContain('vm-state');
  });

  it('stops at the step limit', () => {
    const j = JSON.parse(cli('run', file('spin.s', 'x: JMP x'), '--json', '--max-steps', '1000').out);
    expect(j.stop.reason).toBe('step-limit');
    expect(j.vms[0].state).toBe('running');
    expect(j.counters.instructions).toBe(1000);
  });

  it('prints every assembly error as file:line:col and exits 1', () => {
    const bad = file('bad.s', 'MOVE R1, 1\n  MOV R9, 2\n');
    const r = cli('run', bad);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([
      `${bad}:1:1: error: unknown instruction 'MOVE'; did you mean 'MOV'?`,
      `${bad}:2:7: error: unknown register 'R9' (VX has R0–R7 and SP); did you mean 'R0'?`,
    ]);
  });

  it('runs scenario files and refuses invalid ones naming the field', () => {
    const ok = file('ok.vlab.json', JSON.stringify({ vms: [{ source: '  OUT 0xF4, 7' }], isa: 'strict', extra: { kept: true } }));
    const j = JSON.parse(cli('run', ok, '--json').out);
    expect(j.isa).toBe('strict');
    expect(j.vms[0].exitCode).toBe(7);
    const bad = file('bad.vlab.json', JSON.stringify({ vms: [{ name: 'a' }], isa: 'sparc', maxSteps: -1 }));
    const r = cli('run', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain('vms[0].source');
    expect(r.err).toContain('isa: expected one of "classic", "strict"');
    expect(r.err).toContain('maxSteps');
    expect(cli('run', file('junk.json', '{"vms": [')).err).toContain('not valid JSON');
  });

  it('refuses a scenario of several VMs natively, and techniques not built yet, with exit 1', () => {
    const two = file('two.vlab.json', JSON.stringify({ vms: [{ source: 'HLT' }, { source: 'HLT' }] }));
    const r = cli('run', two);
    expect(r.code).toBe(1);
    expect(r.err).toContain('several VMs');
    const c = JSON.parse(cli('compare', HELLO, '--json').out);
    expect(c.results.map((x: { technique: string }) => x.technique)).toEqual([
      'native',
      'interpret',
      'trap-and-emulate',
      'binary-translation',
      'hardware-assisted',
      'paravirtualization',
    ]);
    expect(c.results[0].vms[0].console).toBe('hello\n');
  });

  it('analyze reports the Popek–Goldberg theorems from the ISA table', () => {
    const classic = JSON.parse(cli('analyze', '--isa', 'classic', '--json').out);
    expect(classic.theorem1).toEqual({ holds: false, violators: ['POPF', 'PUSHF', 'SIDT', 'SMSW'] });
    expect(classic.theorem3).toEqual({ holds: false, violators: ['SIDT'] });
    expect(classic.instructions.find((i: { mnemonic: string }) => i.mnemonic === 'POPF')).toEqual({
      mnemonic: 'POPF',
      privileged: false,
      sensitive: ['control', 'behavior'],
      userSensitive: false,
    });
    const strict = JSON.parse(cli('analyze', '--isa', 'strict', '--json').out);
    expect(strict.theorem1).toEqual({ holds: true, violators: [] });
    expect(strict.theorem3).toEqual({ holds: true, violators: [] });
    expect(cli('analyze').out).toContain('Theorem 1');
  });

  it('answers usage errors with exit 2 and input errors with exit 1, never a stack trace', () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['run'],
      ['run', HELLO, '--isa', 'mips'],
      ['run', HELLO, '--max-steps', 'lots'],
      ['run', HELLO, '--bogus'],
    ]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(args.length === 0 ? 0 : 2);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    for (const args of [
      ['run', join(dir, 'missing.s')],
      ['run', dir],
      ['run', '@nope'],
    ]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    const junk = file('junk.s', '\u0000\u00ff\ud800 MOV [[[ ,,, \n'.repeat(50));
    const r = cli('run', junk);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/junk\.s:1:1: error:/);
  });

  it('works as `npm run -s virtlab` in a real process', () => {
    const out = execFileSync('npm', ['run', '-s', 'virtlab', '--', 'run', HELLO, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(out).vms[0].console).toBe('hello\n');
    const bad = spawnSync('npm', ['run', '-s', 'virtlab', '--', 'run', join(dir, 'missing.s')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('no such file');
  });

  it('lists the library, runs @id, shares and opens links', () => {
    const list = JSON.parse(cli('scenarios', '--json').out);
    expect(list.length).toBeGreaterThanOrEqual(16);
    expect(list[0]).toEqual({
      id: expect.any(String),
      title: expect.any(String),
      technique: expect.any(String),
      topics: expect.any(Array),
    });
    for (const e of LIBRARY) {
      const r = cli('run', `@${e.id}`, '--json', '--max-steps', '300000');
      expect(r.code, `${e.id}: ${r.err}`).toBe(0);
      expect(JSON.parse(r.out).stop.reason).not.toBe('error');
    }
    const link = cli('share', '@red-pill', '--technique', 'hardware-assisted', '--base', 'https://example.edu/virtlab/').out.trim();
    expect(link).toMatch(/^https:\/\/example\.edu\/virtlab\/#s=1\./);
    const opened = JSON.parse(cli('open', link).out);
    expect(opened.technique).toBe('hardware-assisted');
    expect(opened.title).toMatch(/Red Pill/);
    expect(cli('run', '@nope').err).toMatch(/no built-in scenario '@nope'/);
  });

  it('refuses hostile links cleanly (exit 1, the reason, no stack trace)', () => {
    const bomb = base64url(deflateSync(new TextEncoder().encode(`{"vms":[{"source":"${' '.repeat(3_000_000)}"}]}`)));
    for (const [link, why] of [
      [`#s=1.${bomb}`, /inflates past/],
      [`#s=1.${'A'.repeat(70_000)}`, /capped/],
      ['#s=1.@@@', /corrupt/],
      ['#s=7.AAAA', /newer VirtLab/],
    ] as const) {
      const r = cli('open', link);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(why);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
