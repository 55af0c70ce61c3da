// The honest verdict of a Compare: which runs may be ranked at all, whether fidelity held, and why a
// technique that comes out cheaper than bare metal does. Pure logic over the results of `compare --json`
// (or the page's Compare), so that the command line and the page say the same thing.
//
// Rules: a run that crashed, hit the step limit, stopped for another reason or did not end as bare metal
// ends it (each VM's state, exit code and console) is "not comparable": it gets no ratio and no rank, and
// is never the winner. Fidelity "holds" only for a run that finished like bare metal with no
// fidelity-violation. A comparable technique cheaper than bare metal carries the published reason.

export interface VerdictVm {
  readonly name?: string;
  readonly state: string;
  readonly exitCode: number | null;
  readonly console: string;
}

export interface VerdictRun {
  readonly technique: string;
  readonly stop: { readonly reason: string };
  readonly vms: readonly VerdictVm[];
  readonly counters: { readonly instructions: number; readonly fidelityViolations: number };
  readonly cycles: { readonly total: number; readonly byCategory: Readonly<Record<string, number>> };
}

export type VerdictEntry = VerdictRun | { readonly technique: string; readonly skipped: string };

export interface Verdict {
  /** Whether it may be ranked against the others: it finished as the reference finished. */
  readonly comparable: boolean;
  /** Why not, in a sentence (crashed at instruction N, hit the step limit, console differs…). */
  readonly why?: string;
  /** `holds` only when it finished like bare metal with no fidelity-violation; `reference` for bare metal itself. */
  readonly fidelity: 'reference' | 'holds' | 'broken' | 'skipped';
  /** Total cycles over bare metal's, when both are comparable. */
  readonly ratio: number | null;
  /** 1 for the cheapest comparable run (bare metal included), and so on; null when not comparable. */
  readonly rank: number | null;
  /** True for the single cheapest comparable virtualized run (never bare metal, never a run not comparable). */
  readonly best: boolean;
  /** When a comparable technique is cheaper than bare metal: the published reason, with its source. */
  readonly cheaperThanBareMetal?: { readonly reason: string; readonly source: string };
}

/** What the reference is: bare metal when it ran; else (several VMs) the outcome most runs agree on. */
export type ReferenceKind = 'bare-metal' | 'agreement' | 'none';

/** Why a technique can be cheaper than bare metal, as the literature says it (costs.md's sources). */
export const CHEAPER_REASONS: Readonly<
  Record<string, { reason: string; source: string; when: (r: VerdictRun, bare: VerdictRun) => boolean }>
> = {
  'binary-translation': {
    reason:
      "The translator turns the guest's IN and OUT into calls to the hypervisor's device model, which is cheaper than a real port access on bare metal: in Adams and Agesen's measurements a native `in` took 3,209 cycles and the translated one about 15 times less. A program that does port I/O can therefore run faster translated than natively.",
    source: 'K. Adams and O. Agesen, "A Comparison of Software and Hardware Techniques for x86 Virtualization", ASPLOS 2006',
    // The saving must be where port I/O is counted: the `guest` category (bare metal pays real port I/O there).
    when: (r, bare) => (r.cycles.byCategory.guest ?? 0) < (bare.cycles.byCategory.guest ?? 0),
  },
};

const NO_SOURCE =
  'VirtLab has no published reason for this technique to be cheaper than bare metal here: read it as an effect of the cost model, not of the real system.';

function outcome(r: VerdictRun): string {
  return JSON.stringify(r.vms.map((v) => [v.state, v.exitCode, v.console]));
}

function whyNot(r: VerdictRun, ref: VerdictRun | undefined, refKind: ReferenceKind): string | undefined {
  const crashed = r.vms.findIndex((v) => v.state === 'crashed');
  if (r.stop.reason === 'step-limit')
    return `hit the step limit after ${r.counters.instructions.toLocaleString('en-US')} instructions: it did not finish`;
  if (r.stop.reason === 'error') return 'stopped on an internal error';
  if (r.stop.reason === 'breakpoint') return 'stopped at a breakpoint: it did not finish';
  if (crashed >= 0 && ref?.vms[crashed]?.state !== 'crashed') {
    return `${r.vms[crashed].name ?? `VM ${crashed}`} crashed (after ${r.counters.instructions.toLocaleString('en-US')} instructions)${refKind === 'bare-metal' ? ' where bare metal did not' : ''}`;
  }
  if (!ref) return undefined;
  for (let i = 0; i < r.vms.length; i++) {
    const a = r.vms[i];
    const b = ref.vms[i];
    if (!b) continue;
    const name = a.name ?? `VM ${i}`;
    const against = refKind === 'bare-metal' ? 'bare metal' : 'the other techniques';
    if (a.state !== b.state) return `${name} ended ${a.state} where ${against} ended ${b.state}`;
    if (a.exitCode !== b.exitCode) return `${name} exited with ${a.exitCode} where ${against} exited with ${b.exitCode}`;
    if (a.console !== b.console) return `${name}'s console differs from ${against}'s`;
  }
  return undefined;
}

/** The verdict of each result, in the order given (the order of `compare --json`). */
export function compareVerdicts(results: readonly VerdictEntry[]): { reference: ReferenceKind; verdicts: Verdict[] } {
  const runs = results.filter((r): r is VerdictRun => !('skipped' in r));
  const native = runs.find((r) => r.technique === 'native' && r.stop.reason === 'all-stopped');
  let ref: VerdictRun | undefined = native;
  let refKind: ReferenceKind = native ? 'bare-metal' : 'none';
  if (!ref) {
    // Bare metal cannot run it (several VMs): the outcome most finished runs share stands in.
    const tally = new Map<string, { n: number; run: VerdictRun }>();
    for (const r of runs.filter((x) => x.stop.reason === 'all-stopped')) {
      const k = outcome(r);
      const t = tally.get(k);
      if (t) t.n++;
      else tally.set(k, { n: 1, run: r });
    }
    const top = [...tally.values()].sort((a, b) => b.n - a.n)[0];
    if (top && top.n >= 2) {
      ref = top.run;
      refKind = 'agreement';
    }
  }
  const first = results.map((r) => {
    if ('skipped' in r) return { r, why: `skipped: ${r.skipped}` as string | undefined, comparable: false };
    const why = r === native ? undefined : whyNot(r, ref, refKind);
    return { r, why, comparable: why === undefined && (ref !== undefined || r.stop.reason === 'all-stopped') };
  });
  const comparable = first.filter((x) => x.comparable && !('skipped' in x.r)).map((x) => x.r as VerdictRun);
  const sorted = [...comparable].sort((a, b) => a.cycles.total - b.cycles.total);
  const virtual = sorted.filter((r) => r.technique !== 'native');
  const best = virtual[0];
  const verdicts = first.map(({ r, why, comparable: ok }): Verdict => {
    if ('skipped' in r) return { comparable: false, why, fidelity: 'skipped', ratio: null, rank: null, best: false };
    const isNative = r === native;
    const fidelity: Verdict['fidelity'] = isNative ? 'reference' : ok && r.counters.fidelityViolations === 0 ? 'holds' : 'broken';
    if (!ok) return { comparable: false, ...(why ? { why } : {}), fidelity, ratio: null, rank: null, best: false };
    const ratio = native && native.cycles.total > 0 ? r.cycles.total / native.cycles.total : null;
    const v: Verdict = { comparable: true, fidelity, ratio, rank: sorted.indexOf(r) + 1, best: r === best };
    if (!isNative && native && r.cycles.total < native.cycles.total) {
      const known = CHEAPER_REASONS[r.technique];
      return {
        ...v,
        cheaperThanBareMetal: known?.when(r, native)
          ? { reason: known.reason, source: known.source }
          : { reason: NO_SOURCE, source: 'VirtLab' },
      };
    }
    return v;
  });
  return { reference: refKind, verdicts };
}

/** A verdict as one short line (the command line's `compare` summary; the page may show the same words). */
export function verdictLine(v: Verdict): string {
  if (v.fidelity === 'skipped') return v.why ?? 'skipped';
  if (!v.comparable) return `not comparable: ${v.why ?? 'it did not finish like bare metal'}`;
  const parts: string[] = [];
  if (v.ratio !== null) parts.push(`${v.ratio < 0.1 ? v.ratio.toFixed(3) : v.ratio.toFixed(2)}× bare metal`);
  if (v.best) parts.push('cheapest virtualized');
  if (v.fidelity === 'broken') parts.push('fidelity broken (fidelity-violation events)');
  else if (v.fidelity === 'holds') parts.push('fidelity holds');
  if (v.cheaperThanBareMetal) parts.push(`cheaper than bare metal: ${v.cheaperThanBareMetal.reason}`);
  return parts.join('; ') || (v.fidelity === 'reference' ? 'bare metal (the reference)' : '');
}
