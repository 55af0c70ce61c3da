// What the Migration panel draws, as plain data built from the worker's migration view (pure, so that the
// unit tests need no page): each round's 16-page grid, the chart of pages dirtied per round, downtime
// against total time, where the VM is, and the comparison of the three methods as rows, CSV and JSON.
import type { MigrationMethodResult, MigrationMode, MigrationView } from '../../../protocol/messages';

export type PageState = 'sent' | 'dirtied' | 'sent-dirtied' | 'faulted' | 'clean';

export const PAGE_STATE_LABEL: Readonly<Record<PageState, string>> = {
  sent: 'sent',
  dirtied: 'dirtied',
  'sent-dirtied': 'sent, then dirtied again',
  faulted: 'fetched on a network fault',
  clean: 'clean',
};

/** One letter per state, drawn in each cell: colour never carries the meaning alone. */
export const PAGE_STATE_LETTER: Readonly<Record<PageState, string>> = {
  sent: 'S',
  dirtied: 'D',
  'sent-dirtied': 'SD',
  faulted: 'F',
  clean: '·',
};

export interface RoundGrid {
  /** "Round 2", or "Stop-and-copy" for the pages that crossed while the VM was paused. */
  readonly title: string;
  readonly pages: readonly PageState[];
  readonly sent: number;
  readonly dirtied: number;
  readonly faulted: number;
}

/** The 16-page grid of each round; the last is the stop-and-copy (pre-copy and stop-and-copy). */
export function roundGrids(view: MigrationView): RoundGrid[] {
  const mode = view.report.mode;
  return view.rounds.map((r, i) => {
    const sent = new Set(r.sent);
    const dirtied = new Set(r.dirtied);
    const faulted = new Set(r.faulted);
    const pages = Array.from({ length: 16 }, (_, p): PageState => {
      if (faulted.has(p)) return 'faulted';
      if (sent.has(p) && dirtied.has(p)) return 'sent-dirtied';
      if (dirtied.has(p)) return 'dirtied';
      return sent.has(p) ? 'sent' : 'clean';
    });
    const live = i < view.report.rounds.length;
    const title =
      mode === 'post-copy' ? 'Pages after the switch (pushed or faulted)' : live ? `Round ${view.report.rounds[i].round}` : 'Stop-and-copy';
    return { title, pages, sent: r.sent.length, dirtied: r.dirtied.length, faulted: r.faulted.length };
  });
}

export interface ChartBar {
  readonly round: number;
  readonly sent: number;
  readonly dirtied: number;
}

export interface DirtyChart {
  readonly bars: readonly ChartBar[];
  /** Pages, the chart's top (at least 16: the VM's memory). */
  readonly max: number;
  /** Pre-copy stops when no more than this many pages are dirty (the line drawn across). */
  readonly stopPages: number | null;
  readonly verdict: string;
}

/**
 * Pages dirtied per round: the writable working set converging (Clark et al. 2005: the rounds shrink to the
 * hot pages), or not (a guest that dirties memory faster than the link sends it).
 */
export function dirtyChart(view: MigrationView, stopPages: number): DirtyChart {
  const r = view.report;
  const bars = r.rounds.map((x) => ({ round: x.round, sent: x.pagesSent, dirtied: x.pagesDirtied }));
  const max = Math.max(16, ...bars.map((b) => Math.max(b.sent, b.dirtied)));
  let verdict: string;
  if (r.mode !== 'pre-copy')
    verdict = r.mode === 'post-copy' ? 'post-copy has no rounds to converge: each page crosses once' : 'one round, with the VM paused';
  else if (!view.done) {
    const last = bars.slice(-2);
    verdict =
      last.length === 2 && last[1].dirtied < last[0].dirtied
        ? 'shrinking so far'
        : last.length === 2
          ? 'not shrinking so far'
          : 'first round';
  } else
    verdict = r.converged
      ? `converged: ${r.writableWorkingSet} page${r.writableWorkingSet === 1 ? '' : 's'} dirty in the last round (the writable working set)`
      : `did not converge: ${r.stopReason}`;
  return { bars, max, stopPages: r.mode === 'pre-copy' ? stopPages : null, verdict };
}

export interface Times {
  readonly total: number;
  readonly downtime: number;
  /** Downtime as a share of the total, 0–1. */
  readonly share: number;
  readonly text: string;
}

export function timesOf(view: MigrationView): Times {
  const { totalCycles: total, downtimeCycles: downtime } = view.report;
  const share = total > 0 ? Math.min(1, downtime / total) : 0;
  const text = view.done
    ? `downtime ${fmtInt(downtime)} cycles of ${fmtInt(total)} in all (${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%)`
    : 'the migration is under way';
  return { total, downtime, share, text };
}

/** Where the VM is: on host A, moving (pre-copy's rounds, post-copy's pages still crossing), or on host B. */
export function whereIs(view: MigrationView | null | undefined): { host: 'host A' | 'host B'; moving: boolean; text: string } {
  if (!view) return { host: 'host A', moving: false, text: 'on host A (the migration has not begun)' };
  const on = view.report.resumedAt >= 0 ? 'host B' : 'host A';
  if (view.done) return { host: 'host B', moving: false, text: 'on host B: the migration is over' };
  return {
    host: on,
    moving: true,
    text: on === 'host B' ? 'running on host B while its pages still cross' : 'running on host A while its memory crosses',
  };
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

// ---- the comparison of the three methods --------------------------------------------------------------

export interface CompareRow {
  readonly mode: MigrationMode;
  readonly pagesSent: number | null;
  readonly totalCycles: number | null;
  readonly downtimeCycles: number | null;
  readonly networkFaults: number | null;
  readonly rounds: number | null;
  readonly converged: boolean | null;
  /** The guest ended as with the other methods (console and state). */
  readonly sameEnd: boolean | null;
  readonly refused?: string;
}

export function compareRows(results: readonly MigrationMethodResult[]): CompareRow[] {
  const ran = results.filter((r): r is Extract<MigrationMethodResult, { report: unknown }> => 'report' in r);
  const ref = ran[0];
  return results.map((r) =>
    'report' in r
      ? {
          mode: r.mode,
          pagesSent: r.report.pagesSent,
          totalCycles: r.report.totalCycles,
          downtimeCycles: r.report.downtimeCycles,
          networkFaults: r.report.networkFaults,
          rounds: r.report.rounds.length,
          converged: r.report.converged,
          sameEnd: ref ? JSON.stringify([r.consoles, r.states]) === JSON.stringify([ref.consoles, ref.states]) : null,
        }
      : {
          mode: r.mode,
          pagesSent: null,
          totalCycles: null,
          downtimeCycles: null,
          networkFaults: null,
          rounds: null,
          converged: null,
          sameEnd: null,
          refused: r.refused,
        },
  );
}

const COLUMNS = ['method', 'pages sent', 'total cycles', 'downtime cycles', 'network faults', 'rounds', 'converged', 'same end'] as const;

function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  // A cell that a spreadsheet would read as a formula is quoted with a leading apostrophe (OWASP CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function compareCsv(rows: readonly CompareRow[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of rows)
    lines.push(
      [r.mode, r.pagesSent, r.totalCycles, r.downtimeCycles, r.networkFaults, r.rounds, r.converged, r.sameEnd].map(csvCell).join(','),
    );
  return `${lines.join('\n')}\n`;
}

export function compareJson(results: readonly MigrationMethodResult[]): string {
  return `${JSON.stringify({ results: results.map((r) => ('report' in r ? { mode: r.mode, migration: r.report, cycles: r.cycles } : r)) }, null, 2)}\n`;
}
