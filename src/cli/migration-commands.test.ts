// The checkpoint, resume and migrate commands of interfaces.md.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-ckpt-'));

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

describe('checkpoint and resume', () => {
  it('writes a versioned checkpoint file and resumes it to the plain run', () => {
    const f = join(dir, 'fw.json');
    const c = cli('checkpoint', 'programs/forkwait.s', '--technique', 'trap-and-emulate', '--at', '20000', '--out', f);
    expect(c.code, c.err).toBe(0);
    expect(JSON.parse(readFileSync(f, 'utf8')).version).toBe(1);
    const r = cli('resume', f, '--json');
    expect(r.code, r.err).toBe(0);
    const plain = cli('run', 'programs/forkwait.s', '--technique', 'trap-and-emulate', '--json');
    expect(JSON.parse(r.out).vms).toEqual(JSON.parse(plain.out).vms);
    const wrong = cli('resume', f, '--technique', 'binary-translation');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/taken under trap-and-emulate/);
  });

  it('prints the checkpoint when no --out is given, and needs --at', () => {
    const c = cli('checkpoint', 'programs/hello.s', '--technique', 'interpret', '--at', '5');
    expect(c.code, c.err).toBe(0);
    expect(JSON.parse(c.out).format).toBe('virtlab-checkpoint');
    expect(cli('checkpoint', 'programs/hello.s').code).toBe(2);
  });

  it('refuses corrupt files and unknown versions with a reason', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"virtlab-checkpoint","version":7}');
    const r = cli('resume', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/version 1, not 7/);
    writeFileSync(bad, '\u0000\u0001garbage');
    expect(cli('resume', bad).err).toMatch(/corrupt/);
  });
});

describe('migrate', () => {
  it('prints the migration JSON of interfaces.md', () => {
    const r = cli('migrate', 'programs/hot-set.s', '--technique', 'hardware-assisted', '--mode', 'pre-copy', '--at', '0', '--json');
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(r.out).migration;
    expect(Object.keys(m).slice(0, 10)).toEqual([
      'mode',
      'vm',
      'from',
      'to',
      'rounds',
      'pagesSent',
      'networkFaults',
      'totalCycles',
      'downtimeCycles',
      'converged',
    ]);
    expect(m.from).toBe('host A');
    expect(m.to).toBe('host B');
    expect(Object.keys(m.rounds[0])).toEqual(['round', 'pagesSent', 'pagesDirtied', 'cycles']);
  });

  it('--mode all compares the three methods on the same guest', () => {
    const r = cli('migrate', 'programs/dirty-fast.s', '--technique', 'hardware-assisted', '--mode', 'all', '--at', '1000', '--json');
    expect(r.code, r.err).toBe(0);
    const results = JSON.parse(r.out).results;
    expect(results.map((x: { migration: { mode: string } }) => x.migration.mode)).toEqual(['pre-copy', 'post-copy', 'stop-and-copy']);
    const consoles = new Set(results.map((x: { vms: { console: string }[] }) => x.vms[0].console));
    expect(consoles.size).toBe(1);
    const text = cli('migrate', 'programs/dirty-fast.s', '--technique', 'hardware-assisted', '--mode', 'all', '--bandwidth', '2');
    expect(text.out).toMatch(/^mode +pages sent +total cycles +downtime +network faults +converged/);
  });

  it('refuses bare metal and bad options', () => {
    const r = cli('migrate', 'programs/hello.s', '--technique', 'native');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bare metal/);
    expect(cli('migrate', 'programs/hello.s', '--mode', 'teleport').code).toBe(2);
    expect(cli('migrate', 'programs/hello.s', '--bandwidth', '-1').code).toBe(2);
  });

  it('run of a scenario with a migration adds "migration"', () => {
    const f = join(dir, 'm.vlab.json');
    writeFileSync(
      f,
      JSON.stringify({
        technique: 'interpret',
        vms: [{ source: readFileSync('programs/hello.s', 'utf8') }],
        migration: { mode: 'stop-and-copy' },
      }),
    );
    const r = cli('run', f, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).migration.mode).toBe('stop-and-copy');
  });
});
