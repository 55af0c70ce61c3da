import { useLayoutEffect, useRef } from 'react';
import { fmt } from '../../shared/format';
import { useShownVm, VmPicker } from '../../shared/VmPicker';
import type { AppState } from '../../state/app-state';
import { useApp, useAppStore } from '../../state/context';

/**
 * Characters drawn while the run goes: laying out a long wrapped text again every frame costs more than
 * the rest of the page together, and a projector shows a few hundred characters anyway. Paused, the
 * whole tail the worker sends is there to scroll through.
 */
const RUNNING_TAIL = 4096;
/** Lines drawn while running: a guest printing a character a line (the first program students write) would
 * otherwise lay out two thousand lines a frame. */
const RUNNING_LINES = 60;

/**
 * Lines per block of the paused console. Each block is laid out only when it is on screen (CSS
 * `content-visibility: auto`): the worker's tail of 64 KB is 32,768 lines of a guest that prints a
 * character a line, and laying them out at once took 130 ms when the run paused.
 */
const BLOCK_LINES = 200;
/** A line's height in em (the `.console pre` line height): a block's size before it is laid out. */
const LINE_EM = 1.45;

/** `text` cut after every `lines`-th newline (the blocks joined are `text`). */
export function consoleBlocks(text: string, lines = BLOCK_LINES): string[] {
  const out: string[] = [];
  let from = 0;
  while (from < text.length) {
    let end = from;
    for (let n = 0; n < lines && end < text.length; n++) {
      const nl = text.indexOf('\n', end);
      end = nl < 0 ? text.length : nl + 1;
    }
    out.push(text.slice(from, end));
    from = end;
  }
  return out;
}

/** Lines `block` takes unwrapped: its newlines, and one more for an unfinished last line. */
export function linesOf(block: string): number {
  let lines = block.length > 0 && !block.endsWith('\n') ? 1 : 0;
  for (let i = block.indexOf('\n'); i >= 0; i = block.indexOf('\n', i + 1)) lines++;
  return lines;
}

/**
 * Writes the paused console as blocks that the browser lays out only when they are on screen, each the
 * height of its lines until then. The last two are always laid out: the box opens scrolled to the end,
 * and its height there must be the real one from the first layout (an estimate there left the newest
 * line half hidden when a block's lines wrapped or its last line was unfinished).
 */
function drawBlocks(el: HTMLElement, text: string): void {
  const parts = consoleBlocks(text);
  const blocks = parts.map((t, i) => {
    const b = document.createElement('span');
    b.className = i >= parts.length - 2 ? 'console-block shown' : 'console-block';
    b.style.containIntrinsicBlockSize = `auto ${Math.max(1, linesOf(t)) * LINE_EM}em`;
    b.textContent = t;
    return b;
  });
  el.replaceChildren(...blocks);
}

/** The last `lines` lines of `text` (the text itself when shorter). */
export function lastLines(text: string, lines: number): string {
  let at = text.length;
  for (let n = 0; n <= lines; n++) {
    at = text.lastIndexOf('\n', at - 1);
    if (at < 0) return text;
  }
  return text.slice(at + 1);
}

/** What the console shows of VM `vm`: the text, and how many earlier characters it leaves out. */
export function consoleView(s: AppState, vm: number): { text: string; hidden: number } {
  const out = s.snapshot?.vms[vm];
  const full = out?.console ?? '';
  const text =
    s.status.state === 'running' ? lastLines(full.length > RUNNING_TAIL ? full.slice(-RUNNING_TAIL) : full, RUNNING_LINES) : full;
  return { text, hidden: Math.max(0, (out?.consoleLength ?? 0) - text.length) };
}

/**
 * The guest's console. Its text changes with every frame of a printing guest, so it stays out of React's
 * render path: a store subscription writes it into the DOM (only when it changed). While the run goes
 * the text sits at the bottom of the box (CSS, `.live`), so following it needs no scroll position and
 * no layout read; paused, the box scrolls and stays at the end unless the reader scrolled up.
 */
export function ConsolePanel() {
  const store = useAppStore();
  const running = useApp((s) => s.status.state === 'running');
  const shown = useShownVm();
  const name = useApp((s) => ((s.snapshot?.vms.length ?? 0) > 1 ? s.snapshot?.vms[shown]?.name : undefined));
  const pre = useRef<HTMLPreElement>(null);
  const note = useRef<HTMLParagraphElement>(null);
  const pinned = useRef(true);

  useLayoutEffect(() => {
    let drawn: string | null = null;
    let drawnLive = false;
    let hiddenDrawn = -1;
    const draw = (s: AppState) => {
      const el = pre.current;
      const p = note.current;
      if (!el || !p) return;
      const { text, hidden } = consoleView(s, shown);
      if (hidden !== hiddenDrawn) {
        hiddenDrawn = hidden;
        p.hidden = hidden === 0;
        p.textContent = hidden ? `${fmt(hidden)} earlier characters not shown` : '';
      }
      // Whether the run goes is read from the state, and the box's mode (`.live`) is set here with its
      // text: the update that starts or stops a run reaches this subscription before React renders, and
      // drawing by the last render's mode drew the run's first frame as paused blocks (then read the
      // box's height: one more layout of the page), and a pause's 64 KB tail twice (as one text, then as
      // blocks).
      const live = s.status.state === 'running';
      if (text === drawn && live === drawnLive) return;
      drawn = text;
      drawnLive = live;
      el.classList.toggle('live', live);
      if (live) {
        el.textContent = text;
        return;
      }
      drawBlocks(el, text);
      if (pinned.current && text) {
        el.scrollTop = el.scrollHeight;
        // The block above the last two takes its real height once drawn: stay at the end.
        requestAnimationFrame(() => {
          if (pinned.current) el.scrollTop = el.scrollHeight;
        });
      }
    };
    draw(store.getState());
    return store.subscribe(draw);
  }, [store, shown]);

  // Paused and at the end, the box stays at the end when it changes size (the panels around it settle
  // after a pause). The blocks above the view keep it still as they are drawn (scroll anchoring).
  useLayoutEffect(() => {
    const el = pre.current;
    if (!el || running || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (pinned.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [running]);

  return (
    <section className="panel console" aria-label="Console">
      <h2>
        Console{name ? ` · ${name}` : ''}
        <VmPicker label="VM shown in Console" />
      </h2>
      <p ref={note} className="note" hidden />
      <pre
        ref={pre}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: scrolled output must be reachable by keyboard (WCAG 2.1.1)
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          if (el.classList.contains('live')) return;
          pinned.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
        }}
      />
    </section>
  );
}
