// What the Compare dialog draws, decided from the results alone by the verdicts of `virtlab compare`
// (src/scenario/compare-verdict.ts), so that the page and the command line never disagree: the runs that
// may be ranked come first (bare metal, the reference, at the top); a run that crashed, hit the step limit
// or did not end as bare metal ended is drawn apart (hatched, with the verdict's reason), with no ratio and
// never as the cheapest; techniques that cannot run the scenario come last with the reason.
import type { CompareEntry, RunResult } from '../../protocol/messages';
import { compareVerdicts, type ReferenceKind, type Verdict, verdictLine } from '../../scenario/compare-verdict';
import { fmt } from '../shared/format';

export type CompareGroup = 'comparable' | 'not-comparable' | 'skipped';

export interface CompareRow {
  readonly technique: string;
  readonly group: CompareGroup;
  readonly verdict: Verdict;
  /** The run, when the technique ran it. */
  readonly run: RunResult | null;
  /** The words beside the bar: `figures` (cycles, ratio) then `note` (reference, cheapest, verdict). */
  readonly label: string;
  readonly figures: string;
  readonly note: string;
  readonly fidelity: { readonly text: string; readonly ok: boolean };
}

export interface CompareView {
  readonly reference: ReferenceKind;
  /** Comparable runs (technique order), then runs that are not comparable, then skipped techniques. */
  readonly rows: readonly CompareRow[];
  /** Bare metal's outcome, on screen beside every comparison with it (null when bare metal did not run). */
  readonly bareMetal: string | null;
  /** The bar scale: the dearest comparable run (a run that did not finish does not stretch it). */
  readonly scaleMax: number;
}

const ran = (e: CompareEntry): e is RunResult => !('skipped' in e);

function ratioText(ratio: number): string {
  return `${ratio.toFixed(ratio < 0.1 ? 3 : ratio < 10 ? 2 : 0)}×`;
}

/** Each VM's end as bare metal (or any run) left it: state, exit code and console. */
export function outcomeText(r: RunResult): string {
  return r.vms
    .map((v) => {
      const exit = v.exitCode === null ? '' : `, exit code ${v.exitCode}`;
      const con =
        v.console === '' ? 'nothing on the console' : `console “${v.console.length > 60 ? `${v.console.slice(0, 60)}…` : v.console}”`;
      return `${v.name} ${v.state}${exit}, ${con}`;
    })
    .join('; ');
}

function fidelityOf(r: CompareEntry, v: Verdict, reference: ReferenceKind): CompareRow['fidelity'] {
  if (!ran(r)) return { text: v.why ?? 'skipped', ok: false };
  if (v.fidelity === 'reference') return { text: 'bare metal: the reference', ok: true };
  if (v.fidelity === 'holds') {
    return {
      text: reference === 'bare-metal' ? 'holds: it finished like bare metal' : 'holds: it finished as the other techniques agree',
      ok: true,
    };
  }
  const violations = r.vms.flatMap((vm) => vm.fidelity);
  const kinds = [...new Set(violations.map((f) => `${f.instruction} (expected ${f.expected}, got ${f.actual})`))];
  const found = violations.length
    ? `${fmt(violations.length)} fidelity violation${violations.length === 1 ? '' : 's'}: ${kinds.slice(0, 3).join('; ')}${kinds.length > 3 ? '…' : ''}`
    : '';
  if (!v.comparable)
    return { text: `does not hold: ${v.why ?? 'it did not finish like bare metal'}${found ? `; ${found}` : ''}`, ok: false };
  return { text: `broken: ${found || 'fidelity-violation events'}`, ok: false };
}

function wordsOf(r: CompareEntry, v: Verdict): { figures: string; note: string } {
  if (!ran(r)) return { figures: '', note: v.why ?? 'skipped' };
  if (!v.comparable) return { figures: `${fmt(r.cycles.total)} cycles`, note: verdictLine(v) };
  const figures = [fmt(r.cycles.total), ...(v.ratio !== null ? [ratioText(v.ratio)] : [])];
  const note: string[] = [];
  if (v.fidelity === 'reference') note.push('the reference');
  if (v.best) note.push('cheapest virtualized');
  if (v.cheaperThanBareMetal) note.push('cheaper than bare metal (see why below)');
  return { figures: figures.join(' · '), note: note.join(' · ') };
}

export function compareView(results: readonly CompareEntry[]): CompareView {
  const { reference, verdicts } = compareVerdicts(results);
  const all = results.map((r, i): CompareRow => {
    const { figures, note } = wordsOf(r, verdicts[i]);
    return {
      technique: r.technique,
      group: !ran(r) ? 'skipped' : verdicts[i].comparable ? 'comparable' : 'not-comparable',
      verdict: verdicts[i],
      run: ran(r) ? r : null,
      label: !ran(r) || !verdicts[i].comparable ? note : [figures, note].filter(Boolean).join(' · '),
      figures,
      note,
      fidelity: fidelityOf(r, verdicts[i], reference),
    };
  });
  const order: CompareGroup[] = ['comparable', 'not-comparable', 'skipped'];
  const rows = order.flatMap((g) => all.filter((r) => r.group === g));
  const native = results.find((r) => r.technique === 'native');
  const bareMetal = native && ran(native) ? outcomeText(native) : null;
  const scaleMax = Math.max(1, ...rows.filter((r) => r.group === 'comparable').map((r) => r.run?.cycles.total ?? 0));
  return { reference, rows, bareMetal, scaleMax };
}
