import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { LIBRARY } from '../scenario/library';
import { base64url } from '../scenario/link';
import { DEFAULT_TRACE_LIMIT } from './commands';
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

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

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

  it('counts AMD-V exits under svm.h names and Intel ones under the SDM names', () => {
    const args = ['run', 'programs/am-i-in-a-vm.s', '--technique', 'hardware-assisted', '--json', '--trace'];
    const amd = JSON.parse(cli(...args, '--vendor', 'amd').out);
    const entries = amd.events.filter((e: { kind: string }) => e.kind === 'vm-entry').map((e: { instruction: string }) => e.instruction);
    expect(new Set(entries)).toEqual(new Set(['VMRUN']));
    expect(Object.keys(amd.vms[0].counters.vmExitsByReason).sort()).toEqual(['CPUID', 'IOIO', 'NPF']);
    const intel = JSON.parse(cli(...args).out);
    expect(intel.events.find((e: { kind: string }) => e.kind === 'vm-entry').instruction).toBe('VMLAUNCH');
    expect(Object.keys(intel.vms[0].counters.vmExitsByReason).sort()).toEqual(['CPUID', 'EPT_VIOLATION', 'IO_INSTRUCTION']);
  });

  it('runs AMD-V with --vendor amd: VMRUN, #VMEXIT names of svm.h', () => {
    const r = cli('run', 'programs/am-i-in-a-vm.s', '--technique', 'hardware-assisted', '--vendor', 'amd', '--trace', '--json');
    expect(r.code).toBe(0);
    const events = JSON.parse(r.out).events as {
      kind: string;
      name?: string;
      instruction?: string;
      reasonName?: string;
      reason?: number;
    }[];
    const entries = new Set(events.filter((e) => e.kind === 'vm-entry').map((e) => e.instruction));
    expect([...entries]).toEqual(['VMRUN']);
    expect(events.some((e) => e.kind === 'vmx' && e.name === 'VMCB read')).toBe(true);
    expect(events.find((e) => e.kind === 'vm-exit' && e.reason === 0x72)?.reasonName).toBe('CPUID');
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
    // isa.md: the violators of interfaces.md's example, CPUID among them.
    expect(classic.theorem1).toEqual({ holds: false, violators: ['CPUID', 'POPF', 'PUSHF', 'SIDT', 'SMSW'] });
    expect(classic.theorem3).toEqual({ holds: false, violators: ['CPUID', 'PUSHF', 'SIDT', 'SMSW'] });
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

  it('runs from a bundle that starts quickly, rebuilt when a source changes', () => {
    execFileSync(process.execPath, ['bin/virtlab.mjs', '--build']);
    const built = statSync('dist-cli/virtlab.mjs').mtimeMs;
    const t0 = performance.now();
    const out = execFileSync(process.execPath, ['bin/virtlab.mjs', 'run', HELLO, '--json'], { encoding: 'utf8' });
    const ms = performance.now() - t0;
    expect(JSON.parse(out).vms[0].console).toBe('hello\n');
    // Well under half a second on an idle machine (tsx took 1.6 s); generous here for a busy one.
    expect(ms).toBeLessThan(3000);
    expect(statSync('dist-cli/virtlab.mjs').mtimeMs).toBe(built);
    // A source newer than the bundle (its content unchanged): the next run builds it again.
    const source = 'src/cli/escape.ts';
    const { atime, mtime } = statSync(source);
    try {
      utimesSync(source, atime, new Date(built + 1000));
      execFileSync(process.execPath, ['bin/virtlab.mjs', 'run', HELLO, '--json'], { encoding: 'utf8' });
      expect(statSync('dist-cli/virtlab.mjs').mtimeMs).toBeGreaterThan(built);
    } finally {
      utimesSync(source, atime, mtime);
    }
  });

  it('keeps at most the trace limit of events, and says so in the JSON, the summary and stderr', () => {
    const spin = file('spin-trace.s', 'x: JMP x');
    const r = cli('run', spin, '--json', '--trace', '--max-steps', String(DEFAULT_TRACE_LIMIT + 5000));
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.events.length).toBe(DEFAULT_TRACE_LIMIT);
    expect(j.trace).toEqual({
      limit: DEFAULT_TRACE_LIMIT,
      kept: DEFAULT_TRACE_LIMIT,
      truncated: true,
      droppedFromStep: DEFAULT_TRACE_LIMIT,
    });
    expect(j.events.at(-1).step).toBe(DEFAULT_TRACE_LIMIT - 1);
    expect(j.counters.instructions).toBe(DEFAULT_TRACE_LIMIT + 5000);
    expect(r.err).toMatch(
      /trace of native cut at 100,000 events: kept the first 100,000, which cover the run up to step 100,000 of 105,000/,
    );
    const small = cli('run', spin, '--trace-limit', '10', '--max-steps', '50');
    expect(small.out).toMatch(/trace of native cut at 10 events: kept the first 10, which cover the run up to step 10 of 50/);
    const whole = JSON.parse(cli('run', HELLO, '--json', '--trace').out);
    expect(whole.trace).toEqual({ limit: DEFAULT_TRACE_LIMIT, kept: whole.events.length, truncated: false });
    // Exactly the limit: nothing was dropped.
    const exact = JSON.parse(cli('run', spin, '--json', '--trace-limit', '50', '--max-steps', '50').out);
    expect(exact.trace).toEqual({ limit: 50, kept: 50, truncated: false });
    const c = cli('compare', spin, '--json', '--trace-limit', '1000000', '--max-steps', '20');
    const results = JSON.parse(c.out).results;
    expect(results[0].trace.limit).toBe(166_666);
    expect(cli('run', spin, '--trace-limit', '0').code).toBe(2);
    expect(cli('run', spin, '--trace-limit', '1000001').err).toMatch(/--trace-limit must be a whole number from 1 to 1,000,000/);
  });

  it('gives every hostile input a one-line error naming the limit, exit 1, no stack trace', () => {
    const big = file('big.s', '; comment\n'.repeat(30_000));
    const bigJson = file('big.vlab.json', `{"vms":[{"source":"HLT"}],"pad":"${' '.repeat(1_100_000)}"}`);
    const deep = file('deep.vlab.json', `{"vms":[{"source":"HLT"}],"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`);
    const parens = file('parens.s', ` MOV R0, ${'('.repeat(100_000)}1${')'.repeat(100_000)}\n`);
    const sum = file('sum.s', ` MOV R0, ${'1+'.repeat(50_000)}1\n`);
    const space = file('space.s', ' .space 0xFFFFFFFF\n HLT\n');
    const label = file('label.s', `${'x'.repeat(120_000)}: HLT\n JMP ${'x'.repeat(119_999)}y\n`);
    const ascii = file('ascii.s', ` .ascii "${'a'.repeat(200_000)}"\n`);
    let cycle = '.equ c0, c2000\n';
    for (let i = 1; i <= 2000; i++) cycle += `.equ c${i}, c${i - 1}\n`;
    const cyc = file('cycle.s', `${cycle} MOV R0, c5\n`);
    // Random text does not compress: its link would be longer than any VirtLab opens.
    let noise = '';
    for (let i = 0, x = 1; i < 200_000; i++)
      noise += String.fromCharCode(97 + (((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) % 26));
    const incompressible = file('noise.vlab.json', JSON.stringify({ vms: [{ source: `; ${noise}\n HLT\n` }] }));
    const cases: [string[], RegExp][] = [
      [['run', '/dev/zero'], /cannot read '\/dev\/zero': is a device, not a regular file/],
      [['run', dir], /is a directory/],
      [['run', big], /is 300,000 bytes, and a program file may be at most 256 KiB \(262,144 bytes/],
      [['run', bigJson], /a scenario file may be at most 1 MiB \(1,048,576 bytes/],
      [['share', deep], /x: an unknown field nested more than 64 levels deep/],
      [['run', parens], /parens\.s:1:\d+: error: expression nested too deeply \(more than 256 levels/],
      [['run', sum], /sum\.s:1:\d+: error: expression nested too deeply/],
      [['run', space], /space\.s:1:2: error: \.space needs a size from 0 to 65536 \(the whole memory\), not 0xFFFFFFFF/],
      [
        ['run', label],
        /label\.s:2:6: error: undefined label 'x{40}…\(120,000 characters\)'; did you mean 'x{40}…\(120,000 characters\)'\?/,
      ],
      [['run', ascii], /ascii\.s:1:2: error: the program no longer fits in 64 KiB/],
      [['run', cyc], /cycle\.s:2002:\d+: error: 'c5' is defined in terms of itself/],
      [['share', incompressible], /is too big to share: its link would be [\d,]+ characters, and links are capped at 65,536/],
      [['open', '#s=0x1.AAAA'], /no version number \('0x1' is not one: digits only/],
      [['open', '#s=1e0.AAAA'], /no version number \('1e0' is not one/],
    ];
    for (const [args, why] of cases) {
      const t0 = performance.now();
      const r = cli(...args);
      const where = `${args[0]} ${args[1].slice(-20)}`;
      expect(r.code, where).toBe(1);
      expect(r.err, where).toMatch(why);
      expect(r.err, where).not.toMatch(/internal|\n\s+at |RangeError/);
      expect(r.err.trim().split('\n').length, where).toBeLessThanOrEqual(2);
      expect(performance.now() - t0, where).toBeLessThan(5000);
    }
  });

  it('computes .equ chains once', () => {
    let src = '.equ a0, 1\n';
    for (let i = 1; i <= 34; i++) src += `.equ a${i}, a${i - 1}+a${i - 1}\n`;
    src += '.equ b, a34 + a30\n OUT 0xF4, b >> 28\n';
    const t0 = performance.now();
    const j = JSON.parse(cli('run', file('equ.s', src), '--json').out);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(j.vms[0].exitCode).toBe(4); // 2^34 wraps to 0, 2^30 >> 28 = 4
  });

  it('escapes control characters and ANSI escapes in everything it prints', () => {
    const s = file(
      'ctl.vlab.json',
      JSON.stringify({
        title: 'x\u001b]0;pwned\u0007',
        vms: [{ name: 'a\u001b[2J\u009b31m\u202eb', source: ' OUT 0xE9, 27\n OUT 0xF4, 0\n' }],
      }),
    );
    const r = cli('run', s);
    expect(r.code).toBe(0);
    expect(r.out).toContain('a\\x1b[2J\\x9b31m\\u202eb: powered off');
    expect(r.out).toContain('console: "\\u001b"');
    expect(r.out).not.toMatch(RAW_CONTROL);
    const j = cli('run', s, '--json');
    expect(j.out).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(j.out).vms[0].name).toBe('a\u001b[2J\u009b31m\u202eb');
    const missing = cli('run', join(dir, 'no\u001b[31mfile.s'));
    expect(missing.err).toContain("'");
    expect(missing.err).toContain('no\\x1b[31mfile.s');
    expect(missing.err).not.toMatch(RAW_CONTROL);
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
